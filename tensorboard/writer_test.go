package tensorboard

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wamuir/graft/tensorflow/core/framework/summary_go_proto"
	"github.com/wamuir/graft/tensorflow/core/util/event_go_proto"
)

// fakeClock returns a clock starting at start that advances by one second
// each time it is read.
func fakeClock(start time.Time) func() time.Time {
	next := start
	return func() time.Time {
		t := next
		next = next.Add(time.Second)
		return t
	}
}

func TestNewWriterNames(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs", "train") // created by the writer
	start := time.Unix(1234, 500_000_000)
	want := []string{
		"events.out.tfevents.0000001234.host",
		"events.out.tfevents.0000001234.host.1",
		"events.out.tfevents.0000001234.host.2",
	}
	for i, name := range want {
		w, err := newWriter(dir, "host", fakeClock(start))
		if err != nil {
			t.Fatal(err)
		}
		if got := filepath.Base(w.Path()); got != name {
			t.Errorf("writer %d: name %q, want %q", i, got, name)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	files, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range files {
		files[i] = filepath.Base(files[i])
	}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("Files = %q, want %q (creation order)", files, want)
	}
}

func TestNewWriterReal(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if name := filepath.Base(w.Path()); !strings.HasPrefix(name, FilePrefix) || filepath.Dir(w.Path()) != dir {
		t.Errorf("Path = %q, want %s/%s…", w.Path(), dir, FilePrefix)
	}
	// NewWriter flushes the file_version event to disk.
	events, err := ReadFile(w.Path())
	if err != nil || len(events) != 1 || events[0].GetFileVersion() != FileVersion {
		t.Fatalf("ReadFile = %v, %v; want the file_version event", events, err)
	}
	if now := float64(time.Now().Unix()); events[0].WallTime < now-60 || events[0].WallTime > now+1 {
		t.Errorf("wall_time = %v, want about %v", events[0].WallTime, now)
	}
}

func TestWriterEvents(t *testing.T) {
	dir := t.TempDir()
	w, err := newWriter(dir, "host", fakeClock(time.Unix(1000, 250_000_000)))
	if err != nil {
		t.Fatal(err)
	}
	graphDef := []byte{0x0a, 0x03, 0x0a, 0x01, 'x'} // GraphDef{node: [{name: "x"}]}
	img := image.NewGray(image.Rect(0, 0, 3, 2))
	steps := []struct {
		name  string
		write func() error
	}{
		{"Graph", func() error { return w.Graph(graphDef) }},
		{"Scalar", func() error { return w.Scalar("epoch_loss", 0, 0.1) }},
		{"Histogram", func() error { return w.Histogram("dense/kernel", 1, []float64{-1, 0, 1, 2}) }},
		{"Image", func() error { return w.Image("samples", 2, img) }},
		{"Flush", w.Flush},
		{"Close", w.Close},
	}
	for _, s := range steps {
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	events, err := ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 5 {
		t.Fatalf("read %d events, want 5", len(events))
	}
	for i, e := range events {
		if want := 1000.25 + float64(i); e.WallTime != want {
			t.Errorf("event %d: wall_time = %v, want %v", i, e.WallTime, want)
		}
	}
	if got := events[0].GetFileVersion(); got != FileVersion {
		t.Errorf("event 0: file_version = %q, want %q", got, FileVersion)
	}
	if got := events[1].GetGraphDef(); !bytes.Equal(got, graphDef) {
		t.Errorf("event 1: graph_def = %x, want %x", got, graphDef)
	}

	scalar := onlyValue(t, events[2])
	if scalar.Tag != "epoch_loss" || scalar.GetSimpleValue() != float32(0.1) || events[2].Step != 0 {
		t.Errorf("event 2: %s = %v at step %d, want epoch_loss = 0.1 at step 0", scalar.Tag, scalar.GetSimpleValue(), events[2].Step)
	}

	histo := onlyValue(t, events[3])
	h := histo.GetHisto()
	if histo.Tag != "dense/kernel" || events[3].Step != 1 || h == nil {
		t.Fatalf("event 3: %v at step %d, want histogram dense/kernel at step 1", histo, events[3].Step)
	}
	if h.Min != -1 || h.Max != 2 || h.Num != 4 || h.Sum != 2 || h.SumSquares != 6 {
		t.Errorf("event 3: min, max, num, sum, sum_squares = %v, %v, %v, %v, %v; want -1, 2, 4, 2, 6", h.Min, h.Max, h.Num, h.Sum, h.SumSquares)
	}

	picture := onlyValue(t, events[4]).GetImage()
	if picture == nil || events[4].Step != 2 {
		t.Fatalf("event 4: %v at step %d, want an image at step 2", events[4], events[4].Step)
	}
	if picture.Width != 3 || picture.Height != 2 || picture.Colorspace != 1 {
		t.Errorf("event 4: %dx%d colorspace %d, want 3x2 colorspace 1", picture.Width, picture.Height, picture.Colorspace)
	}
}

// onlyValue returns the one summary value of e.
func onlyValue(t *testing.T, e *event_go_proto.Event) *summary_go_proto.Summary_Value {
	t.Helper()
	s := e.GetSummary()
	if s == nil || len(s.Value) != 1 {
		t.Fatalf("event %v: want a summary with one value", e)
	}
	return s.Value[0]
}

func TestWriterImage(t *testing.T) {
	bounds := image.Rect(2, 3, 7, 5) // 5x2, not at the origin
	fill := func(img interface {
		image.Image
		Set(x, y int, c color.Color)
	}, alpha uint8) {
		for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
			for x := bounds.Min.X; x < bounds.Max.X; x++ {
				img.Set(x, y, color.NRGBA{uint8(40 * x), uint8(60 * y), 200, alpha})
			}
		}
	}
	gray := image.NewGray(bounds)
	fill(gray, 255)
	gray16 := image.NewGray16(bounds)
	fill(gray16, 255)
	opaque := image.NewRGBA(bounds)
	fill(opaque, 255)
	translucent := image.NewNRGBA(bounds)
	fill(translucent, 128)
	paletted := image.NewPaletted(bounds, color.Palette{color.Black, color.White, color.NRGBA{255, 0, 0, 255}})
	fill(paletted, 255)
	transparentPalette := image.NewPaletted(bounds, color.Palette{color.Transparent, color.White})
	fill(transparentPalette, 255)
	transparentPalette.SetColorIndex(3, 4, 0)
	ycbcr := image.NewYCbCr(bounds, image.YCbCrSubsampleRatio444)

	tests := []struct {
		name           string
		img            image.Image
		wantColorspace int32
	}{
		{"gray", gray, 1},
		{"gray16", gray16, 1},
		{"opaque RGBA", opaque, 3},
		{"translucent NRGBA", translucent, 4},
		{"paletted", paletted, 3},
		{"paletted with transparency", transparentPalette, 4},
		{"YCbCr", ycbcr, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded, colorspace, err := encodePNG(tt.img)
			if err != nil {
				t.Fatal(err)
			}
			if colorspace != tt.wantColorspace {
				t.Errorf("colorspace = %d, want %d", colorspace, tt.wantColorspace)
			}
			decoded, err := png.Decode(bytes.NewReader(encoded))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := decoded.Bounds().Size(), tt.img.Bounds().Size(); got != want {
				t.Fatalf("decoded size %v, want %v", got, want)
			}
			for y := 0; y < bounds.Dy(); y++ {
				for x := 0; x < bounds.Dx(); x++ {
					got := color.NRGBA64Model.Convert(decoded.At(decoded.Bounds().Min.X+x, decoded.Bounds().Min.Y+y))
					want := color.NRGBA64Model.Convert(tt.img.At(bounds.Min.X+x, bounds.Min.Y+y))
					if got != want {
						t.Fatalf("pixel (%d, %d) = %v, want %v", x, y, got, want)
					}
				}
			}
		})
	}
}

func TestWriterErrors(t *testing.T) {
	w, err := newWriter(t.TempDir(), "host", fakeClock(time.Unix(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		write func() error
		want  string
	}{
		{"empty histogram", func() error { return w.Histogram("h", 3, nil) }, `tensorboard: histogram "h" step 3: no values`},
		{"NaN histogram", func() error { return w.Histogram("h", 4, []float64{0, math.NaN()}) }, `tensorboard: histogram "h" step 4: values[1] is NaN, want a finite number`},
		{"empty image", func() error { return w.Image("i", 5, image.NewGray(image.Rect(0, 0, 0, 4))) }, `tensorboard: image "i" step 5: empty image (0,0)-(0,4)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.write(); err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Nothing was written but the file version.
	if events, err := ReadFile(w.Path()); err != nil || len(events) != 1 {
		t.Errorf("ReadFile = %d events, %v; want 1, nil", len(events), err)
	}
	afterClose := []struct {
		name string
		call func() error
	}{
		{"Scalar", func() error { return w.Scalar("s", 0, 1) }},
		{"Graph", func() error { return w.Graph(nil) }},
		{"Flush", w.Flush},
		{"Close", w.Close},
	}
	for _, c := range afterClose {
		if err := c.call(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("%s after Close: error = %v, want os.ErrClosed", c.name, err)
		}
	}
}
