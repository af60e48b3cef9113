"""nbgrader settings for everyone on the hub: where the exchange is, and which course.

The hub puts this folder on JUPYTER_CONFIG_PATH for every server it starts; a trainer's shell needs the same
(`export JUPYTER_CONFIG_PATH=<course>/deploy/jupyter`), or copy this file to /etc/jupyter/. The course's own
nbgrader_config.py (in the course folder) adds the rest for the trainer's commands.
"""

import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.Exchange.root = os.environ.get("CPS_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
c.CourseDirectory.course_id = os.environ.get("CPS_COURSE_ID", "ma-cps-ethics")
