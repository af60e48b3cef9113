"""What runs in nbgrader's process for the trainer: the grader, its preprocessors, parallel autograde."""
