"""Models of the mistakes learners actually make, run in the trusted process to name the one a wrong answer matches."""
