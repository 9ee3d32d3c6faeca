"""The node: what runs a validator, assembled from the components its config selects."""
