#!/bin/sh
# Make nbgrader's exchange for one course, owned by its trainer, with the permissions nbgrader expects and
# two of our own. Run as root once per course, before the trainer's first `nbgrader release_assignment`:
#   sh deploy/exchange.sh /srv/nbgrader/exchange ma-cps-ethics trainer
#   exchange root   1777  anyone may create a course folder in it; no one may rename or remove another's
#   <course>        0755  the trainer's; everyone may enter
#   outbound        0755  released modules: everyone may read
#   inbound         3733  submissions: everyone may add one, no trainee may list it (so no one finds another's
#                         submission by name), and the sticky bit (ours) stops a trainee removing or renaming
#                         another's
#   feedback        0711  feedback files named by a secret hash: no one may list them
set -eu
[ "$#" -eq 3 ] || { echo "usage: $0 EXCHANGE_ROOT COURSE_ID TRAINER" >&2; exit 2; }
root=$1 course=$2 trainer=$3
install -d -m 1777 "$root"
chmod 1777 "$root"
install -d -o "$trainer" -m 0755 "$root/$course" "$root/$course/outbound"
install -d -o "$trainer" -m 3733 "$root/$course/inbound"
install -d -o "$trainer" -m 0711 "$root/$course/feedback"
