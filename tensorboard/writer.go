package tensorboard

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/wamuir/graft/tensorflow/core/framework/summary_go_proto"
	"github.com/wamuir/graft/tensorflow/core/util/event_go_proto"
	"google.golang.org/protobuf/proto"
)

const (
	// FileVersion is the file_version of an event file's first event.
	FileVersion = "brain.Event:2"
	// FilePrefix starts the name of every event file a Writer creates.
	FilePrefix = "events.out.tfevents."

	// maxNameTries bounds the suffixes NewWriter tries when the name for
	// this second and host is taken.
	maxNameTries = 1000
)

// A Writer appends events to one new event file. Each method writes one
// event stamped with the current wall time; writes are buffered until Flush or
// Close. A Writer is safe for concurrent use.
type Writer struct {
	path string
	now  func() time.Time

	mu     sync.Mutex
	f      *os.File
	buf    *bufio.Writer
	closed bool
}

// NewWriter creates dir if needed and a new event file in it named
// events.out.tfevents.<unix seconds, 10 digits>.<hostname>, as TensorFlow
// names them. If that name is taken (two writers started in the same second),
// it appends ".1", ".2", …, so the later file sorts after the earlier one.
// The file starts with a file_version event and is flushed to disk before
// NewWriter returns.
func NewWriter(dir string) (*Writer, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return newWriter(dir, host, time.Now)
}

// newWriter is NewWriter with the host name and the clock given.
func newWriter(dir, host string, now func() time.Time) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	start := now()
	base := filepath.Join(dir, fmt.Sprintf("%s%010d.%s", FilePrefix, start.Unix(), host))
	var f *os.File
	for i := 0; f == nil; i++ {
		if i == maxNameTries {
			return nil, fmt.Errorf("tensorboard: create event file: %s and %d suffixed names exist", base, maxNameTries-1)
		}
		name := base
		if i > 0 {
			name += "." + strconv.Itoa(i)
		}
		var err error
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("tensorboard: create event file: %w", err)
		}
	}
	w := &Writer{path: f.Name(), now: now, f: f, buf: bufio.NewWriter(f)}
	err := w.write(&event_go_proto.Event{
		WallTime: wallTime(start),
		What:     &event_go_proto.Event_FileVersion{FileVersion: FileVersion},
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		f.Close()
		os.Remove(w.path)
		return nil, err
	}
	return w, nil
}

// Path returns the name of the event file.
func (w *Writer) Path() string { return w.path }

// Scalar writes v as the value of tag at step. TensorBoard stores scalars as
// float32 (Summary.Value.simple_value), so v is rounded to float32.
func (w *Writer) Scalar(tag string, step int64, v float64) error {
	return w.summary(step, &summary_go_proto.Summary_Value{
		Tag:   tag,
		Value: &summary_go_proto.Summary_Value_SimpleValue{SimpleValue: float32(v)},
	})
}

// Histogram writes the distribution of values as tag at step: their min, max,
// count, sum, sum of squares and counts over TensorFlow's default buckets,
// whose limits grow by 10% from ±1e-12 to ±1e20. values must be non-empty
// and finite.
func (w *Writer) Histogram(tag string, step int64, values []float64) error {
	h, err := newHistogram(values)
	if err != nil {
		return fmt.Errorf("tensorboard: histogram %q step %d: %w", tag, step, err)
	}
	return w.summary(step, &summary_go_proto.Summary_Value{
		Tag:   tag,
		Value: &summary_go_proto.Summary_Value_Histo{Histo: h},
	})
}

// Image writes img, encoded as PNG, as tag at step. Gray images are stored
// with one channel, opaque images as RGB and others as RGBA, and the summary's
// colorspace (1, 3 or 4) says which.
func (w *Writer) Image(tag string, step int64, img image.Image) error {
	encoded, colorspace, err := encodePNG(img)
	if err != nil {
		return fmt.Errorf("tensorboard: image %q step %d: %w", tag, step, err)
	}
	b := img.Bounds()
	return w.summary(step, &summary_go_proto.Summary_Value{
		Tag: tag,
		Value: &summary_go_proto.Summary_Value_Image{Image: &summary_go_proto.Summary_Image{
			Height:             int32(b.Dy()),
			Width:              int32(b.Dx()),
			Colorspace:         colorspace,
			EncodedImageString: encoded,
		}},
	})
}

// Graph writes graphDef, a serialized tensorflow.GraphDef, for TensorBoard's
// graph dashboard.
func (w *Writer) Graph(graphDef []byte) error {
	return w.write(&event_go_proto.Event{
		WallTime: wallTime(w.now()),
		What:     &event_go_proto.Event_GraphDef{GraphDef: graphDef},
	})
}

// Flush writes the buffered events to the file and syncs it to disk.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flush()
}

func (w *Writer) flush() error {
	if w.closed {
		return fmt.Errorf("tensorboard: flush %s: %w", w.path, os.ErrClosed)
	}
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("tensorboard: flush %s: %w", w.path, err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("tensorboard: flush %s: %w", w.path, err)
	}
	return nil
}

// Close flushes the Writer and closes its file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.flush()
	if w.closed {
		return err
	}
	w.closed = true
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("tensorboard: close %s: %w", w.path, cerr)
	}
	return err
}

// summary writes one event holding value at step.
func (w *Writer) summary(step int64, value *summary_go_proto.Summary_Value) error {
	return w.write(&event_go_proto.Event{
		WallTime: wallTime(w.now()),
		Step:     step,
		What: &event_go_proto.Event_Summary{Summary: &summary_go_proto.Summary{
			Value: []*summary_go_proto.Summary_Value{value},
		}},
	})
}

// write serializes e and appends it to the buffer as one record.
func (w *Writer) write(e *event_go_proto.Event) error {
	data, err := proto.Marshal(e)
	if err != nil {
		return fmt.Errorf("tensorboard: encode event: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return fmt.Errorf("tensorboard: write %s: %w", w.path, os.ErrClosed)
	}
	if err := WriteRecord(w.buf, data); err != nil {
		return fmt.Errorf("tensorboard: write %s: %w", w.path, err)
	}
	return nil
}

// wallTime returns t as seconds since the Unix epoch, the unit of
// Event.wall_time.
func wallTime(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// encodePNG encodes img as PNG and returns it with the colorspace of the
// Summary.Image proto: 1 (gray), 3 (RGB) or 4 (RGBA), read back from the
// color type image/png chose.
func encodePNG(img image.Image) ([]byte, int32, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, 0, fmt.Errorf("empty image %v", b)
	}
	if _, ok := img.(*image.Paletted); ok {
		// A PNG palette has no channel count; store the colors instead.
		rgba := image.NewNRGBA(b)
		draw.Draw(rgba, b, img, b.Min, draw.Src)
		img = rgba
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, 0, err
	}
	encoded := buf.Bytes()
	// The IHDR chunk follows the 8-byte signature, a 4-byte length and
	// "IHDR": width (4), height (4), bit depth (1), color type (1).
	const colorTypeOffset = 8 + 4 + 4 + 4 + 4 + 1
	switch ct := encoded[colorTypeOffset]; ct {
	case 0: // gray
		return encoded, 1, nil
	case 2: // RGB
		return encoded, 3, nil
	case 6: // RGBA
		return encoded, 4, nil
	default:
		return nil, 0, fmt.Errorf("PNG color type %d, want gray, RGB or RGBA", ct)
	}
}
