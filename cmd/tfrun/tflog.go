package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"runtime/debug"
	"syscall"
)

// TensorFlow's C++ library logs INFO lines (oneDNN, MLIR, absl) to the process's standard
// error. TF_CPP_MIN_LOG_LEVEL silences only some of them: the MLIR pass line goes through
// a copy of absl inside libtensorflow_cc that no setting reaches. So, unless the user
// asks for them, tfrun sends file descriptor 2 through a filter process that drops INFO
// lines and passes everything else (warnings, errors, fatal messages) on.

// stderrFilterArg makes tfrun the filter process.
const stderrFilterArg = "__tfrun-stderr-filter"

// infoLine matches TensorFlow's and absl's INFO lines and absl's note that logging is not
// initialised, which comes with the first of them.
var infoLine = regexp.MustCompile(`^(I\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^ ]+:\d+\] |\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: I |WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$|To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\.$)`)

// quietTensorFlow keeps TensorFlow's INFO lines off the terminal unless the user set
// TF_CPP_MIN_LOG_LEVEL or passed -v: it sets TF_CPP_MIN_LOG_LEVEL=1 and starts the filter
// process on descriptor 2. tfrun's own messages go to the original standard error
// directly (os.Stderr), as does a Go crash report. If the filter cannot start, nothing
// changes.
func quietTensorFlow(args []string) {
	if _, set := os.LookupEnv("TF_CPP_MIN_LOG_LEVEL"); set {
		return
	}
	for _, a := range args {
		if a == "-v" || a == "--v" || a == "-v=true" || a == "--v=true" {
			return
		}
	}
	os.Setenv("TF_CPP_MIN_LOG_LEVEL", "1")
	self, err := os.Executable()
	if err != nil {
		return
	}
	realFd, err := syscall.Dup(2)
	if err != nil {
		return
	}
	real := os.NewFile(uintptr(realFd), "/dev/stderr")
	r, w, err := os.Pipe()
	if err != nil {
		real.Close()
		return
	}
	filter := exec.Command(self, stderrFilterArg)
	filter.Stdin, filter.Stdout, filter.Stderr = r, real, real
	// Its own process group: a Ctrl-C meant for the run does not stop the filter, which
	// ends when the run closes the pipe (by exiting, whichever way).
	filter.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := filter.Start(); err != nil {
		r.Close()
		w.Close()
		real.Close()
		return
	}
	r.Close()
	if err := syscall.Dup3(int(w.Fd()), 2, 0); err != nil {
		w.Close()
		return
	}
	w.Close()
	os.Stderr = real
	debug.SetCrashOutput(real, debug.CrashOptions{})
}

// runStderrFilter copies in to out line by line, dropping INFO lines, until in ends.
func runStderrFilter(in io.Reader, out io.Writer) int {
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	br := bufio.NewReader(in)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && !infoLine.Match(bytes.TrimRight(line, "\r\n")) {
			out.Write(line)
		}
		if err != nil {
			return 0
		}
	}
}
