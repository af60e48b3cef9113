"""The grading pipeline: nbgrader's gradebook and trainees' answers to tidy pandas tables and reports."""
