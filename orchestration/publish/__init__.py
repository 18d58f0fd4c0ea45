"""Write-audit-publish: copy the checked schemas to a new file that atomically replaces cjm.duckdb."""
