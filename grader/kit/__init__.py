"""What several topics share: comparison and messages (compare), check helpers and hypothesis settings (checks,
vision_checks), recipe helpers (recipes), the training loop (training), the calibration of training tasks
(calibration) and shared synthetic data (data). The kit imports the engine's harness only; topics import the kit."""
