package datasets

// Source says where a data set is published and how Download lays it out under a
// data root, which is the layout Locate searches.
type Source struct {
	// Title names the data set for people.
	Title string
	// Dir is the subdirectory of the data root the files go into ("" for the root).
	Dir string
	// Files are fetched into root/Dir/Name.
	Files []RemoteFile
	// Path is what Locate returns, relative to the root: a file or directory.
	Path string
}

// RemoteFile is one downloadable file of a Source.
type RemoteFile struct {
	// URL is the official location.
	URL string
	// Name is the local file name.
	Name string
	// SHA256 is the lowercase hex SHA-256 of the file, or "" where no trusted
	// checksum of the official file is known; Fetch verifies it when set.
	SHA256 string
}

// mnistMirror serves the original LeCun MNIST files byte for byte (the CVDF mirror
// used by TensorFlow's examples); the SHA-256s are those of the canonical files.
const mnistMirror = "https://storage.googleapis.com/cvdf-datasets/mnist/"

// fashionMNISTSite is Zalando Research's distribution of Fashion-MNIST.
const fashionMNISTSite = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"

// Sources lists the data sets that Locate finds and Download fetches, by the names
// they are asked for: "imdb", "mnist", "fashion_mnist", "cifar10".
//
// Checksums are given only where a trusted one of the official file is known: the
// four MNIST files. The official IMDB and CIFAR-10 tarballs and the Fashion-MNIST
// files have no recorded SHA-256 here, so Fetch cannot verify them; their loaders
// check their structure instead (counts, sizes, magic numbers).
var Sources = map[string]Source{
	"imdb": {
		Title: "IMDB Large Movie Review v1.0",
		Files: []RemoteFile{{URL: "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz", Name: "aclImdb_v1.tar.gz"}},
		Path:  "aclImdb_v1.tar.gz",
	},
	"cifar10": {
		Title: "CIFAR-10, binary version",
		Files: []RemoteFile{{URL: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", Name: "cifar-10-binary.tar.gz"}},
		Path:  "cifar-10-binary.tar.gz",
	},
	"mnist": {
		Title: "MNIST",
		Dir:   "mnist",
		Files: []RemoteFile{
			{URL: mnistMirror + "train-images-idx3-ubyte.gz", Name: "train-images-idx3-ubyte.gz", SHA256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
			{URL: mnistMirror + "train-labels-idx1-ubyte.gz", Name: "train-labels-idx1-ubyte.gz", SHA256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
			{URL: mnistMirror + "t10k-images-idx3-ubyte.gz", Name: "t10k-images-idx3-ubyte.gz", SHA256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
			{URL: mnistMirror + "t10k-labels-idx1-ubyte.gz", Name: "t10k-labels-idx1-ubyte.gz", SHA256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
		},
		Path: "mnist",
	},
	"fashion_mnist": {
		Title: "Fashion-MNIST",
		Dir:   "fashion-mnist",
		Files: []RemoteFile{
			{URL: fashionMNISTSite + "train-images-idx3-ubyte.gz", Name: "train-images-idx3-ubyte.gz"},
			{URL: fashionMNISTSite + "train-labels-idx1-ubyte.gz", Name: "train-labels-idx1-ubyte.gz"},
			{URL: fashionMNISTSite + "t10k-images-idx3-ubyte.gz", Name: "t10k-images-idx3-ubyte.gz"},
			{URL: fashionMNISTSite + "t10k-labels-idx1-ubyte.gz", Name: "t10k-labels-idx1-ubyte.gz"},
		},
		Path: "fashion-mnist",
	},
}
