package datasets

import (
	"fmt"
	"testing"
)

// TestKerasDefaults pins the values this package takes from Keras's source to
// what that source says, in one place.
func TestKerasDefaults(t *testing.T) {
	tests := []struct {
		name, source string
		got, want    any
	}{
		{"image_size", "keras/src/utils/image_dataset_utils.py, image_dataset_from_directory(image_size=(256, 256))",
			[2]int{DefaultImageHeight, DefaultImageWidth}, [2]int{256, 256}},
		{"color_mode", `image_dataset_from_directory(color_mode="rgb")`, ColorMode("").Channels(), 3},
		{"ALLOWLIST_FORMATS", "keras/src/utils/image_dataset_utils.py", ImageFormats(), []string{".bmp", ".gif", ".jpeg", ".jpg", ".png"}},
		{"text formats", `keras/src/utils/text_dataset_utils.py, index_directory(formats=(".txt",))`, textFormats[:], []string{".txt"}},
		{"epsilon", "keras/src/backend/config.py, _EPSILON = 1e-7", KerasEpsilon, 1e-7},
		{"seed range", "numpy.random.RandomState: seed must be between 0 and 2**32 - 1", int64(MaxKerasSeed), int64(1<<32 - 1)},
	}
	for _, tc := range tests {
		if fmt.Sprint(tc.got) != fmt.Sprint(tc.want) {
			t.Errorf("%s = %v, want %v (%s)", tc.name, tc.got, tc.want, tc.source)
		}
	}
}
