package main

import (
	"fmt"
	"io"

	"github.com/tfrun/tfrun"
)

// printVersion is -version: tfrun's and TensorFlow's versions, which build of TensorFlow
// (CPU or CUDA) tfrun is linked to, and the devices TensorFlow sees (tfrun.LocalPlatform,
// what tfrun builds its graphs for). It returns the exit code.
func printVersion(stdout, stderr io.Writer) int {
	p, err := tfrun.LocalPlatform()
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return 1
	}
	writeVersion(stdout, tfrun.TensorFlowVersion(), p)
	return 0
}

// writeVersion writes -version's two lines for TensorFlow version tfVersion on platform p:
//
//	tfrun 0.2.0 (TensorFlow 2.18.0, CUDA build)
//	devices: CPU:0, GPU:0 (79.1 GiB)
func writeVersion(w io.Writer, tfVersion string, p tfrun.Platform) {
	build := "CPU build"
	if p.CUDA {
		build = "CUDA build"
	}
	fmt.Fprintf(w, "tfrun %s (TensorFlow %s, %s)\n", version, tfVersion, build)
	note := ""
	if p.CUDA && !p.GPU() {
		note = " (no GPU: TensorFlow found no NVIDIA driver or no visible CUDA device)"
	}
	fmt.Fprintf(w, "devices: %s%s\n", p, note)
}
