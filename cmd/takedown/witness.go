package main

// witnessCommands run the controller's witness.
func witnessCommands() []command {
	return nil
}
