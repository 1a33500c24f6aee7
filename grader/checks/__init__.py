"""The grader's checks: one pytest module per topic, test_NN_slug.py, each test marked @pytest.mark.task('N.k')."""
