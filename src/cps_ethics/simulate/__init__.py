"""The simulated cohort: submissions of made-up trainees (right, wrong, partial, faulty) for dry runs and tests."""
