"""Records of the index: ORM classes, the engine, and migrations."""
