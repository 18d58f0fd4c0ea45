"""One module per report page; each has `build(ctx) -> Page`."""
