"""Three-affairs disclosures (三务公开): catalogue, workflow, hash chain, reach, statutory calendar."""
