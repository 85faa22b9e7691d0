"""Results -> Rich renderables. Nothing here prints: the CLI layer decides where output goes."""
