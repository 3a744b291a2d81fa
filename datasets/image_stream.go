package datasets

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// DefaultImageCacheBytes is the size of decoded pixels (float32) up to which an
// image folder is decoded once and kept in memory (Keras's dataset.cache());
// larger folders are streamed from disk every epoch (CacheImages).
const DefaultImageCacheBytes = 1 << 30

// CacheImages decides whether images of files are decoded once into memory
// (true) or streamed from disk batch by batch (false): cache when it is given,
// else whether n images of h×w×channels float32 pixels fit in
// DefaultImageCacheBytes.
//
// Keras's image_dataset_from_directory always streams unless the user adds
// .cache(); tfrun caches what fits because decoding every epoch costs CPU the
// training step could use, and the two give the same batches.
func CacheImages(cache *bool, n, h, w, channels int) bool {
	if cache != nil {
		return *cache
	}
	return int64(n)*int64(h)*int64(w)*int64(channels)*4 <= DefaultImageCacheBytes
}

// ImageStream serves batches of image files decoded on demand, for a training
// loop that asks for the examples at given indices (an epoch's shuffled order,
// or evaluation's consecutive batches), with bounded memory: it holds no
// decoded image beyond the batches being read ahead.
//
// Plan tells it the indices of the coming batches; it then decodes them with
// NewImageBatches' workers ahead of the consumer (at most ImageBatchesAhead+1
// batches at once). Batch returns the planned batch when asked for exactly
// it; a request for consecutive indices that was not planned plans a read to
// the end of the files from there (evaluation, prediction); any other request
// is decoded on the spot. Either way Batch returns the same pixels, so a
// stream's batches equal those of the same files decoded into memory.
//
// An ImageStream is for one consumer goroutine. Close it when done.
type ImageStream struct {
	files   LabeledFiles
	load    ImageLoadOptions
	scale   func([]float32)
	workers int

	cur   *ImageBatches
	plan  []int // the indices cur delivers, in order
	size  int   // cur's batch size
	taken int   // batches taken from cur
	stats StreamStats
}

// StreamStats say how an ImageStream's batches were read.
type StreamStats struct {
	// Planned and Unplanned count the batches served from a read-ahead and those
	// decoded on the spot.
	Planned, Unplanned int
	// Wait is the time Batch spent waiting for decoding to finish.
	Wait time.Duration
	// MaxHeld is the most decoded batches held at once by a read-ahead
	// (ImageBatches.MaxHeld).
	MaxHeld int
}

// NewImageStream makes a stream of files decoded as o says, each batch's
// pixels passed through scale (nil: kept in [0, 255]) with workers decoding
// goroutines (<= 0: GOMAXPROCS). Nothing is read until the first Plan or Batch.
func NewImageStream(files LabeledFiles, o ImageLoadOptions, scale func([]float32), workers int) (*ImageStream, error) {
	if _, err := o.resolve(); err != nil {
		return nil, &Error{Op: "stream images", Err: err}
	}
	if len(files.Labels) != 0 && len(files.Labels) != files.Len() {
		return nil, newError("stream images", "", ErrInvalidArgument, "%d labels for %d files", len(files.Labels), files.Len())
	}
	return &ImageStream{files: files, load: o, scale: scale, workers: workers}, nil
}

// Len returns the number of files.
func (s *ImageStream) Len() int { return s.files.Len() }

// Files returns the stream's files.
func (s *ImageStream) Files() LabeledFiles { return s.files }

// Subset returns a new stream of the files at idx, in that order, decoded and
// scaled the same way.
func (s *ImageStream) Subset(idx []int) *ImageStream {
	f := LabeledFiles{Paths: make([]string, len(idx))}
	if len(s.files.Labels) > 0 {
		f.Labels = make([]int, len(idx))
	}
	for k, i := range idx {
		f.Paths[k] = s.files.Paths[i]
		if f.Labels != nil {
			f.Labels[k] = s.files.Labels[i]
		}
	}
	return &ImageStream{files: f, load: s.load, scale: s.scale, workers: s.workers}
}

// Plan starts reading the files at order, in batches of batchSize (the last
// may be smaller), ahead of the Batch calls that will ask for them; a read
// ahead planned before is stopped.
func (s *ImageStream) Plan(order []int, batchSize int) error {
	s.stop()
	if len(order) == 0 {
		return nil
	}
	b, err := NewImageBatches(context.Background(), s.files, order, batchSize, s.load, s.workers)
	if err != nil {
		return err
	}
	s.cur, s.plan, s.size, s.taken = b, slices.Clone(order), batchSize, 0
	return nil
}

// Batch returns the images at idx, scaled, with their labels.
func (s *ImageStream) Batch(idx []int) (*ImageBatch, error) {
	if len(idx) == 0 {
		return nil, newError("stream images", "", ErrInvalidArgument, "empty batch")
	}
	if !s.planned(idx) {
		if consecutive(idx) && idx[len(idx)-1] < s.Len() {
			order := make([]int, s.Len()-idx[0])
			for k := range order {
				order[k] = idx[0] + k
			}
			if err := s.Plan(order, len(idx)); err != nil {
				return nil, err
			}
		} else {
			return s.decodeNow(idx)
		}
	}
	t0 := time.Now()
	b, err := s.cur.Next()
	s.stats.Wait += time.Since(t0)
	if err != nil {
		s.stop()
		return nil, err
	}
	s.taken++
	s.stats.Planned++
	if s.scale != nil {
		s.scale(b.Images)
	}
	return b, nil
}

// planned reports whether idx is the next batch of the current read-ahead.
func (s *ImageStream) planned(idx []int) bool {
	if s.cur == nil {
		return false
	}
	start := s.taken * s.size
	if start >= len(s.plan) {
		return false
	}
	return slices.Equal(s.plan[start:min(start+s.size, len(s.plan))], idx)
}

// decodeNow decodes one batch that no read-ahead serves.
func (s *ImageStream) decodeNow(idx []int) (*ImageBatch, error) {
	for k, i := range idx {
		if i < 0 || i >= s.Len() {
			return nil, newError("stream images", "", ErrInvalidArgument, "index %d (batch position %d) is outside 0..%d", i, k, s.Len()-1)
		}
	}
	t0 := time.Now()
	b, err := NewImageBatches(context.Background(), s.files, idx, len(idx), s.load, s.workers)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	batch, err := b.Next()
	s.stats.Wait += time.Since(t0)
	if err != nil {
		return nil, err
	}
	s.stats.Unplanned++
	if s.scale != nil {
		s.scale(batch.Images)
	}
	return batch, nil
}

// consecutive reports whether idx counts up by one.
func consecutive(idx []int) bool {
	for k := 1; k < len(idx); k++ {
		if idx[k] != idx[0]+k {
			return false
		}
	}
	return idx[0] >= 0
}

// stop ends the current read-ahead.
func (s *ImageStream) stop() {
	if s.cur == nil {
		return
	}
	s.cur.Close()
	s.stats.MaxHeld = max(s.stats.MaxHeld, s.cur.MaxHeld())
	s.cur, s.plan = nil, nil
}

// Stats returns how the stream's batches were read so far.
func (s *ImageStream) Stats() StreamStats {
	st := s.stats
	if s.cur != nil {
		st.MaxHeld = max(st.MaxHeld, s.cur.MaxHeld())
	}
	return st
}

// Close stops reading ahead. The stream can still be used: a later Plan or
// Batch starts reading again.
func (s *ImageStream) Close() error {
	s.stop()
	return nil
}

// String describes the stream's reads for a run's log.
func (st StreamStats) String() string {
	return fmt.Sprintf("%d batches read ahead, %d read on demand, at most %d decoded batches held, %.2fs waiting for decoding",
		st.Planned, st.Unplanned, st.MaxHeld, st.Wait.Seconds())
}
