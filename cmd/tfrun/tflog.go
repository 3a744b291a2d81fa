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
	"slices"
	"strings"
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

// wantTensorFlowInfo reports whether the user asked for TensorFlow's INFO lines: by setting
// TF_CPP_MIN_LOG_LEVEL (lookupEnv) or passing -v (true, in any of the flag package's
// spellings). The preinit hook in tflog_load_linux.go applies the same rule in C.
func wantTensorFlowInfo(args []string, lookupEnv func(string) (string, bool)) bool {
	if _, set := lookupEnv("TF_CPP_MIN_LOG_LEVEL"); set {
		return true
	}
	for _, a := range args {
		if strings.HasPrefix(a, "--") {
			a = a[1:] // --v is -v
		}
		if v, ok := strings.CutPrefix(a, "-v"); ok && (v == "" || slices.Contains(verboseTrue, v)) {
			return true
		}
	}
	return false
}

// verboseTrue are the suffixes of -v that make it true: strconv.ParseBool's true values.
var verboseTrue = []string{"=1", "=t", "=T", "=true", "=TRUE", "=True"}

// quietTensorFlow keeps TensorFlow's INFO lines off the terminal unless the user asks for
// them (wantTensorFlowInfo): it sets TF_CPP_MIN_LOG_LEVEL=1 and starts the filter process
// on descriptor 2. What the libraries wrote while they loaded, before main (loadStderr),
// goes through the same filter first, or out unchanged when the user asked for it. tfrun's
// own messages go to the original standard error directly (os.Stderr), as does a Go crash
// report. If the filter cannot start, nothing changes.
func quietTensorFlow(args []string) {
	info := wantTensorFlowInfo(args, os.LookupEnv)
	if load := loadStderr(); load != nil {
		if info {
			io.Copy(os.Stderr, load)
		} else {
			filterLines(load, os.Stderr)
		}
		load.Close()
	}
	if info {
		return
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

// runStderrFilter is the filter process: filterLines from in to out, deaf to the signals
// meant for the run.
func runStderrFilter(in io.Reader, out io.Writer) int {
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	filterLines(in, out)
	return 0
}

// filterLines copies in to out line by line, dropping INFO lines, until in ends.
func filterLines(in io.Reader, out io.Writer) {
	br := bufio.NewReader(in)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && !infoLine.Match(bytes.TrimRight(line, "\r\n")) {
			out.Write(line)
		}
		if err != nil {
			return
		}
	}
}
