"""nbgrader settings for everyone on the hub: where the exchange is, and which course.

The hub puts this folder on JUPYTER_CONFIG_PATH for every server it starts; a trainer's shell needs the same
(`export JUPYTER_CONFIG_PATH=<course>/deploy/jupyter`), or copy this file to /etc/jupyter/. The course's own
nbgrader_config.py (in the course folder) adds the rest for the trainer's commands.

Collect and release_feedback are the course's own (cps_ethics.autograde.exchange), here as well as in the
course's nbgrader_config.py, so that formgrader's Collect button moves plain files only too: a link, device
file or pipe a trainee puts in their inbound folder is refused, never followed (nbgrader's own collect copies
what a link points to, as the trainer), and reported in out/submission_checks/.
"""

import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.Exchange.root = os.environ.get("CPS_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
c.CourseDirectory.course_id = os.environ.get("CPS_COURSE_ID", "ma-cps-ethics")
c.ExchangeFactory.collect = "cps_ethics.autograde.exchange.CourseCollect"
c.ExchangeFactory.release_feedback = "cps_ethics.autograde.exchange.CourseReleaseFeedback"
