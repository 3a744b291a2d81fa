// Package codecheck holds tests that read tfrun's own source, with its types, for mistakes
// that the compiler, go vet and staticcheck let through.
package codecheck
