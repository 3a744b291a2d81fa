package datasets

import (
	"io"
	"os"
	"unicode/utf8"
)

// textFormats are the extensions keras.utils.text_dataset_from_directory reads.
var textFormats = [...]string{".txt"}

// MaxTextBytes bounds the size of one text file read by ReadText: a file this
// large is almost certainly not a training text but a mistake (Keras has no
// bound).
const MaxTextBytes = 64 << 20

// TextDirectoryOptions are the arguments of keras.utils.text_dataset_from_directory
// with labels="inferred" (batching and label_mode belong to the training side).
type TextDirectoryOptions struct {
	DirectoryOptions
	// MaxLength is Keras's max_length: texts longer than MaxLength bytes are cut
	// to their first MaxLength bytes. Keras cuts bytes blindly; here the cut
	// backs off to the last whole UTF-8 character, so a text stays valid UTF-8.
	// 0 means no limit.
	MaxLength int
}

// TextFiles are the labelled text files of a directory, as
// keras.utils.text_dataset_from_directory would read them.
type TextFiles struct {
	DirectoryFiles
	// MaxLength is the option the files were listed with; Texts applies it.
	MaxLength int
}

// TextDirectory lists the .txt files of dir, one subfolder per class, with
// Keras's text_dataset_from_directory semantics (labels="inferred"):
//
//   - classes are the subfolders not starting with "." in alphanumeric order,
//     or o.ClassNames (a subset, in the given order); each subfolder is walked
//     recursively, files in alphanumeric order of folder then name;
//   - a file is a text if its lower-cased name ends in ".txt"; other files in
//     the class folders are counted in Skipped; files directly in dir are ignored;
//   - the files of all classes are shuffled together with numpy's
//     RandomState(o.Seed) unless o.NoShuffle, then the last
//     int(o.ValidationSplit × n) of them form the validation subset.
//
// Two classes at least are required (Keras accepts one). For IMDB's
// aclImdb/train, which has neg/, pos/ and (in the official tarball) unsup/,
// pass ClassNames {"neg", "pos"}: inferred labels would make unsup a third class.
//
// Read the texts with Texts and ValidationTexts, then prepare them like the
// IMDB reviews: Tokenize, BuildVocabulary on the training texts, Encode,
// PadSequences.
func TextDirectory(dir string, o TextDirectoryOptions) (*TextFiles, error) {
	const op = "list text directory"
	if o.MaxLength < 0 {
		return nil, newError(op, dir, ErrInvalidArgument, "max_length is %d, want >= 0 (0: no limit)", o.MaxLength)
	}
	files, err := indexDirectory(op, dir, textFormats[:], o.DirectoryOptions)
	if err != nil {
		return nil, err
	}
	return &TextFiles{DirectoryFiles: *files, MaxLength: o.MaxLength}, nil
}

// Texts reads the texts of the listed subset (the training part for
// SubsetBoth), in order: Texts()[i] is the text of Paths[i], label Labels[i].
func (f *TextFiles) Texts() ([]string, error) { return ReadTexts(f.Paths, f.MaxLength) }

// ValidationTexts reads the texts of the validation part of SubsetBoth.
func (f *TextFiles) ValidationTexts() ([]string, error) {
	return ReadTexts(f.Validation.Paths, f.MaxLength)
}

// ReadTexts reads each file with ReadText, in order, stopping at the first error.
func ReadTexts(paths []string, maxLength int) ([]string, error) {
	texts := make([]string, len(paths))
	for i, p := range paths {
		t, err := ReadText(p, maxLength)
		if err != nil {
			return nil, err
		}
		texts[i] = t
	}
	return texts, nil
}

// ReadText reads one text file, which must be UTF-8 (an invalid byte is an
// ErrFormat error naming the file and the byte offset) and a regular file of
// at most MaxTextBytes. maxLength > 0 keeps at most maxLength bytes, cut at a
// character boundary (see TextDirectoryOptions.MaxLength). The text is
// returned as stored: no BOM removal, no newline or HTML handling.
func ReadText(path string, maxLength int) (string, error) {
	const op = "read text"
	f, err := os.Open(path)
	if err != nil {
		return "", wrapIOError(op, path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", wrapIOError(op, path, err)
	}
	if !fi.Mode().IsRegular() {
		return "", newError(op, path, ErrFormat, "not a regular file (%v)", fi.Mode().Type())
	}
	if fi.Size() > MaxTextBytes {
		return "", newError(op, path, ErrFormat, "%d bytes, more than the %d a text may have", fi.Size(), MaxTextBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxTextBytes+1))
	if err != nil {
		return "", newError(op, path, ErrIO, "%w", err)
	}
	if len(data) > MaxTextBytes {
		return "", newError(op, path, ErrFormat, "more than the %d bytes a text may have", MaxTextBytes)
	}
	if at := invalidUTF8At(data); at >= 0 {
		return "", newError(op, path, ErrFormat, "not UTF-8: invalid byte 0x%02x at offset %d", data[at], at)
	}
	if maxLength > 0 && len(data) > maxLength {
		cut := maxLength
		for cut > 0 && !utf8.RuneStart(data[cut]) {
			cut--
		}
		data = data[:cut]
	}
	return string(data), nil
}

// invalidUTF8At returns the offset of the first byte of data that does not
// start a valid UTF-8 sequence, or -1 if data is valid UTF-8.
func invalidUTF8At(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1 // unreachable: utf8.Valid said otherwise
}
