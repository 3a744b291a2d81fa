package classifier

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/internal/runtest"
)

// pipelineCase is one folder the input pipeline benchmark reads and the model it feeds.
type pipelineCase struct {
	name   string
	format string // png or jpeg
	side   int    // the files' width and height, also the image_size
	n      int    // images in the folder
	model  string // the config's model and train sections
}

// cifarModel is configs/cifar_classifier.yaml's model and batch size.
const cifarModel = `model:
  layers:
    - {type: Conv2D, filters: 32, kernel_size: 3, strides: 1, padding: same, use_bias: false}
    - {type: BatchNormalization}
    - {type: Activation, activation: relu}
    - {type: Conv2D, filters: 64, kernel_size: 3, strides: 2, padding: same, use_bias: false}
    - {type: BatchNormalization}
    - {type: Activation, activation: relu}
    - {type: Conv2D, filters: 64, kernel_size: 3, strides: 1, padding: same, use_bias: false}
    - {type: BatchNormalization}
    - {type: Activation, activation: relu}
    - {type: Conv2D, filters: 128, kernel_size: 3, strides: 2, padding: same, use_bias: false}
    - {type: BatchNormalization}
    - {type: Activation, activation: relu}
    - {type: Conv2D, filters: 128, kernel_size: 3, strides: 2, padding: same, use_bias: false}
    - {type: BatchNormalization}
    - {type: Activation, activation: relu}
    - {type: Flatten}
    - {type: Dropout, rate: 0.4}
    - {type: Dense, units: 128, activation: relu}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, batch_size: 128, loss: sparse_categorical_crossentropy, optimizer: {type: Adam, learning_rate: 0.001}}
`

// exampleModel is configs/examples/image_directory.yaml's model and batch size (10
// classes here).
const exampleModel = `model:
  layers:
    - {type: Conv2D, filters: 32, kernel_size: 3, padding: same, activation: relu}
    - {type: MaxPooling2D}
    - {type: Conv2D, filters: 64, kernel_size: 3, padding: same, activation: relu}
    - {type: MaxPooling2D}
    - {type: GlobalAveragePooling2D}
    - {type: Dropout, rate: 0.3}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, batch_size: 32, loss: sparse_categorical_crossentropy, optimizer: {type: Adam, learning_rate: 0.001}}
`

var pipelineCases = []pipelineCase{
	{"cifar_32x32_png", "png", 32, 1280, cifarModel},
	{"cifar_32x32_jpeg", "jpeg", 32, 1280, cifarModel},
	{"keras_256x256_png", "png", 256, 160, exampleModel},
	{"keras_256x256_jpeg", "jpeg", 256, 160, exampleModel},
}

// writePhotoFolder writes n side×side images in 10 class folders: smooth colour
// gradients with pixel noise (σ ≈ 10 levels), which compress about as photos do.
func writePhotoFolder(b *testing.B, dir, format string, side, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(uint64(side), 9))
	for i := range n {
		img := image.NewNRGBA(image.Rect(0, 0, side, side))
		c0 := [3]float64{r.Float64() * 255, r.Float64() * 255, r.Float64() * 255}
		dx, dy := r.Float64()*2-1, r.Float64()*2-1
		for y := range side {
			for x := range side {
				var px [3]uint8
				for c := range 3 {
					v := c0[c] + 120*(dx*float64(x)+dy*float64(y))/float64(side) + r.NormFloat64()*10
					px[c] = uint8(min(255, max(0, v)))
				}
				img.SetNRGBA(x, y, color.NRGBA{px[0], px[1], px[2], 255})
			}
		}
		var buf bytes.Buffer
		var err error
		if format == "png" {
			err = png.Encode(&buf, img)
		} else {
			err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
		}
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("class_%d", i%10), fmt.Sprintf("%05d.%s", i, format))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImagePipeline measures whether streaming an image folder keeps the training
// step fed, for CIFAR-sized (32×32, cifar_classifier's model) and Keras's default 256×256
// (configs/examples/image_directory.yaml's model) PNG and JPEG folders:
//
//   - decode_img/s: the input pipeline alone (datasets.ImageStream on GOMAXPROCS
//     goroutines reading a shuffled epoch ahead, nothing training);
//   - step_img/s: the training step alone, on batches in memory;
//   - streamed_img/s: a streamed epoch (the step fed by the read-ahead, both competing for
//     the cores), and wait_%: the share of it the step spent waiting for decoding.
//
// The input pipeline is not the bottleneck when decode_img/s exceeds step_img/s and wait_%
// is small. Run it with
//
//	go test ./classifier -run '^$' -bench ImagePipeline -benchtime 1x
func BenchmarkImagePipeline(b *testing.B) {
	for _, pc := range pipelineCases {
		b.Run(pc.name, func(b *testing.B) {
			dir := b.TempDir()
			writePhotoFolder(b, dir, pc.format, pc.side, pc.n)
			cfg := runtest.LoadConfig(b, fmt.Sprintf("name: bench\ntask: classifier\nseed: 1\ndata: {format: image_directory, path: %s, image_size: [%d, %d], cache: false}\n%s",
				dir, pc.side, pc.side, pc.model))
			files, err := datasets.ImageDirectory(dir, datasets.ImageDirectoryOptions{DirectoryOptions: directoryOptions(cfg.Data, 1)})
			if err != nil {
				b.Fatal(err)
			}
			bs := cfg.Supervised().Train.BatchSize
			order := datasets.Shuffle(files.Len(), 2)
			load := ImageLoadOptions(cfg.Data)
			shape := []int{pc.side, pc.side, 3}
			for i := 0; i < b.N; i++ {
				// The pipeline alone.
				ds, err := streamImages(files.LabeledFiles, load, configs.ScaleUnit, shape)
				if err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				if err := ds.plan(order, bs); err != nil {
					b.Fatal(err)
				}
				for start := 0; start < len(order); start += bs {
					if _, _, err := ds.batch(order[start:min(start+bs, len(order))]); err != nil {
						b.Fatal(err)
					}
				}
				decode := float64(len(order)) / time.Since(t0).Seconds()
				ds.Close()

				// The step alone, on the first batch held in memory.
				c, err := FromConfig(cfg, shape, false, 1, 0)
				if err != nil {
					b.Fatal(err)
				}
				mem, err := readImages(b.Context(), datasets.LabeledFiles{Paths: files.Paths[:bs], Labels: files.Labels[:bs]}, load, configs.ScaleUnit)
				if err != nil {
					b.Fatal(err)
				}
				idx := make([]int, bs)
				for k := range idx {
					idx[k] = k
				}
				x, y, err := mem.batch(idx)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := c.TrainBatchLogs(x, y); err != nil { // warm-up
					b.Fatal(err)
				}
				steps := len(order) / bs
				t0 = time.Now()
				for range steps {
					if _, _, err := c.TrainBatchLogs(x, y); err != nil {
						b.Fatal(err)
					}
				}
				step := float64(steps*bs) / time.Since(t0).Seconds()

				// A streamed epoch.
				if ds, err = streamImages(files.LabeledFiles, load, configs.ScaleUnit, shape); err != nil {
					b.Fatal(err)
				}
				tr := &training{Classifier: c, train: ds, batchSize: bs}
				t0 = time.Now()
				if err := tr.PlanEpoch(order, bs); err != nil {
					b.Fatal(err)
				}
				for start := 0; start < len(order); start += bs {
					if _, _, err := tr.TrainStepCounts(order[start:min(start+bs, len(order))]); err != nil {
						b.Fatal(err)
					}
				}
				total := time.Since(t0)
				st := ds.stream.Stats()
				ds.Close()
				c.Close()
				b.ReportMetric(decode, "decode_img/s")
				b.ReportMetric(step, "step_img/s")
				b.ReportMetric(float64(len(order))/total.Seconds(), "streamed_img/s")
				b.ReportMetric(100*st.Wait.Seconds()/total.Seconds(), "wait_%")
				b.ReportMetric(float64(st.MaxHeld), "max_held_batches")
			}
		})
	}
}
