//go:build !linux

package main

import "os"

// loadStderr: only Linux's ELF executables have a preinit_array, so elsewhere TensorFlow's
// lines from its libraries' load are not held back (tflog_load_linux.go).
func loadStderr() *os.File { return nil }
