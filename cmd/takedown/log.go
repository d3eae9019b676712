package main

// logCommands verify the audit log, export it and check receipts; they need no access to the
// authority's database.
func logCommands() []command {
	return nil
}
