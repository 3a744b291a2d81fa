package datasets

import (
	"context"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// ImageBatchesAhead is how many batches ImageBatches decodes ahead of the one
// its consumer waits for (tf.data's prefetch, with a fixed bound).
const ImageBatchesAhead = 2

// ImageBatch is a batch of decoded images and their labels, ready to feed a
// model: Images is [Len, Height, Width, Channels] row-major float32 in [0, 255].
type ImageBatch struct {
	Images                  []float32
	Labels                  []int32  // nil when the files have no labels
	Paths                   []string // the files, in batch order
	Len                     int
	Height, Width, Channels int
}

// ImageBatches decodes image files into batches with a small pool of worker
// goroutines, keeping at most ImageBatchesAhead batches decoded (or being
// decoded) ahead of the consumer. Call Next until it returns io.EOF, and
// Close when done (also after an error, or to stop early).
//
// An ImageBatches is for one consumer goroutine.
type ImageBatches struct {
	ctx        context.Context
	cancel     context.CancelFunc
	ready      chan *pendingBatch // batches in order; its capacity bounds the read-ahead
	wg         sync.WaitGroup
	numBatches int
	next       int
	err        error // sticky: once set, Next returns it
	height     int   // size of the batches delivered so far (for NoResize)
	width      int
	firstPath  string       // the first file delivered, named if a later size differs
	decoded    atomic.Int64 // images decoded so far, for tests of the read-ahead bound
	// assembled counts the batches decoded so far, delivered those Next returned;
	// maxHeld is the most decoded batches waiting at once (MaxHeld).
	assembled, delivered, maxHeld atomic.Int64
}

// pendingBatch is a batch being decoded.
type pendingBatch struct {
	paths     []string
	labels    []int32
	images    []*Image
	errs      []error
	remaining atomic.Int64
	done      chan struct{} // closed when batch or err is set
	batch     *ImageBatch
	err       error
}

// imageTask asks a worker for image i of a batch.
type imageTask struct {
	pb *pendingBatch
	i  int
}

// NewImageBatches starts decoding files in the given order (order[k] is an
// index into files; nil means 0..n-1) into batches of batchSize (the last may
// be smaller), with workers goroutines (<= 0: GOMAXPROCS). files.Labels may be
// empty (no labels) or have one label per path.
//
// Decoding stops when ctx is cancelled or Close is called; Next then returns an
// error wrapping ctx's error. A file that fails to decode ends the stream: Next
// returns that error (naming the file, the first failing one in batch order)
// and no further batches. With o.NoResize, all images must have one size;
// the first image of another size is an error naming it.
func NewImageBatches(ctx context.Context, files LabeledFiles, order []int, batchSize int, o ImageLoadOptions, workers int) (*ImageBatches, error) {
	const op = "read image batches"
	l, err := o.resolve()
	if err != nil {
		return nil, &Error{Op: op, Err: err}
	}
	n := files.Len()
	if len(files.Labels) != 0 && len(files.Labels) != n {
		return nil, newError(op, "", ErrInvalidArgument, "%d labels for %d files", len(files.Labels), n)
	}
	if batchSize <= 0 {
		return nil, newError(op, "", ErrInvalidArgument, "batch_size is %d, want > 0", batchSize)
	}
	if order == nil {
		order = make([]int, n)
		for i := range order {
			order[i] = i
		}
	}
	for k, i := range order {
		if i < 0 || i >= n {
			return nil, newError(op, "", ErrInvalidArgument, "order[%d] is %d, want an index in 0..%d", k, i, n-1)
		}
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	b := &ImageBatches{
		ctx:        ctx,
		cancel:     cancel,
		ready:      make(chan *pendingBatch, ImageBatchesAhead),
		numBatches: (len(order) + batchSize - 1) / batchSize,
	}
	tasks := make(chan imageTask)
	b.wg.Add(1 + workers)
	go b.dispatch(files, order, batchSize, tasks)
	for range workers {
		go b.work(l, tasks)
	}
	return b, nil
}

// dispatch queues the batches in order and hands their images to the workers.
func (b *ImageBatches) dispatch(files LabeledFiles, order []int, batchSize int, tasks chan<- imageTask) {
	defer b.wg.Done()
	defer close(tasks)
	for start := 0; start < len(order); start += batchSize {
		idx := order[start:min(start+batchSize, len(order))]
		pb := &pendingBatch{
			paths:  make([]string, len(idx)),
			images: make([]*Image, len(idx)),
			errs:   make([]error, len(idx)),
			done:   make(chan struct{}),
		}
		if len(files.Labels) > 0 {
			pb.labels = make([]int32, len(idx))
		}
		for k, i := range idx {
			pb.paths[k] = files.Paths[i]
			if pb.labels != nil {
				pb.labels[k] = int32(files.Labels[i])
			}
		}
		pb.remaining.Store(int64(len(idx)))
		select {
		case b.ready <- pb: // blocks while ImageBatchesAhead batches wait for the consumer
		case <-b.ctx.Done():
			return
		}
		for k := range idx {
			select {
			case tasks <- imageTask{pb, k}:
			case <-b.ctx.Done():
				return
			}
		}
	}
}

// work decodes images until the tasks run out; the worker finishing a batch
// assembles it.
func (b *ImageBatches) work(l imageLoad, tasks <-chan imageTask) {
	defer b.wg.Done()
	for t := range tasks {
		if b.ctx.Err() != nil {
			continue // stopping: drain without decoding
		}
		t.pb.images[t.i], t.pb.errs[t.i] = loadImage(t.pb.paths[t.i], l)
		b.decoded.Add(1)
		if t.pb.remaining.Add(-1) == 0 {
			t.pb.assemble()
			b.held(b.assembled.Add(1) - b.delivered.Load())
			close(t.pb.done)
		}
	}
}

// assemble copies the decoded images into one batch, or records the first
// error in batch order.
func (pb *pendingBatch) assemble() {
	for _, err := range pb.errs {
		if err != nil {
			pb.err = err
			return
		}
	}
	first := pb.images[0]
	for i, img := range pb.images {
		if img.Height != first.Height || img.Width != first.Width {
			pb.err = mixedSizeError(pb.paths[i], img.Height, img.Width, pb.paths[0], first.Height, first.Width)
			return
		}
	}
	size := first.Height * first.Width * first.Channels
	batch := &ImageBatch{
		Images:   make([]float32, len(pb.images)*size),
		Labels:   pb.labels,
		Paths:    pb.paths,
		Len:      len(pb.images),
		Height:   first.Height,
		Width:    first.Width,
		Channels: first.Channels,
	}
	for i, img := range pb.images {
		copy(batch.Images[i*size:], img.Pix)
		pb.images[i] = nil
	}
	pb.batch = batch
}

// mixedSizeError reports an image (h×w) whose size differs from an earlier
// one's (firstH×firstW) in no-resize mode.
func mixedSizeError(path string, h, w int, firstPath string, firstH, firstW int) error {
	return newError("read image batches", path, ErrFormat,
		"image is %d×%d (height×width) but %s is %d×%d; without image_size all images need one size (set image_size to resize them)",
		h, w, firstPath, firstH, firstW)
}

// held records that n decoded batches wait for the consumer.
func (b *ImageBatches) held(n int64) {
	for {
		m := b.maxHeld.Load()
		if n <= m || b.maxHeld.CompareAndSwap(m, n) {
			return
		}
	}
}

// MaxHeld returns the most decoded batches that waited for the consumer at one
// time: at most ImageBatchesAhead+1 (those queued and the one Next waits for),
// which bounds the memory of the read-ahead.
func (b *ImageBatches) MaxHeld() int { return int(b.maxHeld.Load()) }

// NumBatches returns the number of batches the stream delivers.
func (b *ImageBatches) NumBatches() int { return b.numBatches }

// Next returns the next batch, waiting for it to be decoded, or io.EOF after
// the last one. After an error every call returns that error.
func (b *ImageBatches) Next() (*ImageBatch, error) {
	if b.err != nil {
		return nil, b.err
	}
	if b.next >= b.numBatches {
		return nil, io.EOF
	}
	if err := b.ctx.Err(); err != nil {
		return nil, b.fail(newError("read image batches", "", ErrIO, "stopped: %w", err))
	}
	var pb *pendingBatch
	select {
	case pb = <-b.ready:
	case <-b.ctx.Done():
		return nil, b.fail(newError("read image batches", "", ErrIO, "stopped: %w", b.ctx.Err()))
	}
	select {
	case <-pb.done:
	case <-b.ctx.Done():
		return nil, b.fail(newError("read image batches", "", ErrIO, "stopped: %w", b.ctx.Err()))
	}
	if pb.err != nil {
		return nil, b.fail(pb.err)
	}
	batch := pb.batch
	b.delivered.Add(1)
	if b.next == 0 {
		b.height, b.width, b.firstPath = batch.Height, batch.Width, batch.Paths[0]
	} else if batch.Height != b.height || batch.Width != b.width {
		return nil, b.fail(mixedSizeError(batch.Paths[0], batch.Height, batch.Width, b.firstPath, b.height, b.width))
	}
	b.next++
	return batch, nil
}

// fail makes err sticky and stops the decoding.
func (b *ImageBatches) fail(err error) error {
	b.err = err
	b.cancel()
	return err
}

// Close stops decoding and waits for the goroutines to exit. It is safe to
// call more than once.
func (b *ImageBatches) Close() error {
	b.cancel()
	b.wg.Wait()
	return nil
}
