package datasets

// This file reproduces the one piece of numpy that Keras's directory readers
// use to order files: numpy.random.RandomState(seed).shuffle (the legacy
// MT19937 generator), so that TextDirectory and ImageDirectory split a folder
// into the same training and validation files as
// keras.utils.text_dataset_from_directory and image_dataset_from_directory do
// with the same seed (keras/src/utils/dataset_utils.py, index_directory).

// mt19937 is the Mersenne Twister of Matsumoto and Nishimura, "Mersenne
// Twister: a 623-dimensionally equidistributed uniform pseudo-random number
// generator" (ACM TOMACS 8(1), 1998), as numpy's legacy RandomState runs it.
type mt19937 struct {
	state [mtN]uint32
	pos   int
}

// Parameters of MT19937 (the paper's n, m, matrix A and masks).
const (
	mtN         = 624
	mtM         = 397
	mtMatrixA   = 0x9908b0df
	mtUpperMask = 0x80000000
	mtLowerMask = 0x7fffffff
)

// MaxKerasSeed is the largest seed numpy.random.RandomState accepts
// (seeds are 0..2^32-1).
const MaxKerasSeed = 1<<32 - 1

// newMT19937 seeds the generator as RandomState(seed) does for an integer seed
// (numpy's mt19937_seed, the paper's init_genrand).
func newMT19937(seed uint32) *mt19937 {
	g := &mt19937{pos: mtN}
	g.state[0] = seed
	for i := 1; i < mtN; i++ {
		prev := g.state[i-1]
		g.state[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	return g
}

// uint32 returns the next 32-bit output (genrand_int32).
func (g *mt19937) uint32() uint32 {
	if g.pos >= mtN {
		g.twist()
	}
	y := g.state[g.pos]
	g.pos++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// twist regenerates the whole state block.
func (g *mt19937) twist() {
	s := &g.state
	for i := 0; i < mtN; i++ {
		y := s[i]&mtUpperMask | s[(i+1)%mtN]&mtLowerMask
		next := s[(i+mtM)%mtN] ^ y>>1
		if y&1 != 0 {
			next ^= mtMatrixA
		}
		s[i] = next
	}
	g.pos = 0
}

// interval returns a uniform integer in [0, max] (inclusive) by numpy's
// random_interval: draw 32-bit values masked to the smallest all-ones mask
// covering max until one is <= max. max must fit in 32 bits, which every
// file count does.
func (g *mt19937) interval(max uint32) uint32 {
	if max == 0 {
		return 0
	}
	mask := max
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	for {
		if v := g.uint32() & mask; v <= max {
			return v
		}
	}
}

// numpyPermutation returns the order in which numpy.random.RandomState(seed).
// shuffle(x) leaves a sequence of length n: after the shuffle, x[i] holds the
// element that was at perm[i]. numpy's shuffle walks i from n-1 down to 1 and
// swaps x[i] with x[random_interval(i)]; Keras shuffles the file paths and,
// with a fresh RandomState(seed), the labels, so both get this permutation.
// n must be below 2^32.
func numpyPermutation(n int, seed uint32) []int {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	g := newMT19937(seed)
	for i := n - 1; i > 0; i-- {
		j := int(g.interval(uint32(i)))
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm
}
