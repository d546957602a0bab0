"""Word lists, catalogue and dialogue templates for the demo world (`workstation-server seed`)."""
