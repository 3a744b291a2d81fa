package datasets

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// shuffleStream is the second PCG seed (the stream selector) of Shuffle. It is
// part of Shuffle's output contract: changing it changes every permutation.
const shuffleStream = 0x7466_7275_6e5f_6473 // "tfrun_ds"

// Shuffle returns a pseudo-random permutation of 0..n-1 determined by seed alone:
// the same on every run, machine and Go release. It is a Fisher–Yates shuffle
// driven by a PCG generator (math/rand/v2's PCG, seeded with (uint64(seed),
// shuffleStream)), drawing bounded integers with Lemire's multiply-shift method
// implemented here, so it does not depend on how math/rand/v2 implements Perm.
// n <= 0 gives an empty permutation.
//
// Use it to order examples before ValidationSplit or per epoch:
// perm := Shuffle(len(x), seed); x[perm[i]] is the i-th example.
func Shuffle(n int, seed int64) []int {
	if n <= 0 {
		return []int{}
	}
	src := rand.NewPCG(uint64(seed), shuffleStream)
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(uint64Below(src, uint64(i)+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// uint64Below returns a uniformly distributed value in [0, bound), bound > 0, by
// Lemire's "Fast random integer generation in an interval" (ACM TOMACS, 2019).
func uint64Below(src *rand.PCG, bound uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), bound)
	if lo < bound {
		threshold := -bound % bound
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), bound)
		}
	}
	return hi
}

// ValidationSplit holds out the last fraction of n examples, as the
// validation_split argument of Keras's Model.fit does (keras/src/trainers/
// data_adapters/array_slicing.py, train_validation_split):
// splitAt = floor(n * (1 - fraction)), train = [0, splitAt), validation = [splitAt, n).
// Keras takes the examples in the order given, before any shuffling, so shuffle
// first (Shuffle) if the data is sorted by label, as LoadIMDBText's is.
//
// fraction must be in [0, 1). 0 means no validation set (valIdx is empty). As in
// Keras, a positive fraction that leaves either part empty is an error.
func ValidationSplit(n int, fraction float64) (trainIdx, valIdx []int, err error) {
	const op = "validation split"
	if n < 0 {
		return nil, nil, newError(op, "", ErrInvalidArgument, "n is %d, want >= 0", n)
	}
	if !(fraction >= 0 && fraction < 1) { // also rejects NaN
		return nil, nil, newError(op, "", ErrInvalidArgument, "fraction is %v, want a value in [0, 1)", fraction)
	}
	splitAt := n
	if fraction > 0 {
		splitAt = int(math.Floor(float64(n) * (1 - fraction)))
		if splitAt == 0 || splitAt == n {
			return nil, nil, newError(op, "", ErrInvalidArgument,
				"%d examples are too few to split with fraction %v (train would get %d, validation %d); use more data or another fraction",
				n, fraction, splitAt, n-splitAt)
		}
	}
	trainIdx = make([]int, splitAt)
	for i := range trainIdx {
		trainIdx[i] = i
	}
	valIdx = make([]int, n-splitAt)
	for i := range valIdx {
		valIdx[i] = splitAt + i
	}
	return trainIdx, valIdx, nil
}
