package thirdparty

import _ "embed"

// LibTensorFlowScript is libtensorflow.sh, the script that fetches the pinned TensorFlow
// C library (the tensorflow-cpu wheel, sha256-checked) into the folder it is given: what
// cmd/tfrun-env runs for a module outside this repository.
//
//go:embed libtensorflow.sh
var LibTensorFlowScript []byte

// TensorFlowVersion is the version of TensorFlow's C library tfrun links (libtensorflow.sh's).
const TensorFlowVersion = "2.18.0"
