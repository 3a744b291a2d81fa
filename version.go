package tfrun

import (
	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// Version is tfrun's version.
const Version = "0.2.0"

// TensorFlowVersion is the version of the TensorFlow C library tfrun is linked to
// ("2.18.0").
func TensorFlowVersion() string { return tf.Version() }

// Platform is what TensorFlow runs tfrun's graphs on: whether the library is a CUDA
// build, and the devices it sees (CPU:0, GPU:0 with its memory, ...). Its String lists
// the devices as tfrun -version prints them.
type Platform = graphs.Platform

// Device is one device of a Platform.
type Device = graphs.Device

// LocalPlatform asks TensorFlow which devices this process sees (what tfrun builds its
// graphs for).
func LocalPlatform() (Platform, error) { return graphs.LocalPlatform() }
