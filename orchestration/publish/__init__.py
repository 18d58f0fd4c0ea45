"""Write-audit-publish: checked schemas go to a new file that atomically replaces cjm.duckdb."""
