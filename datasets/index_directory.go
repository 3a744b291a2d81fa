package datasets

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Values of DirectoryOptions.Subset, Keras's subset argument.
const (
	SubsetTraining   = "training"   // the files before the validation part
	SubsetValidation = "validation" // the last ValidationSplit fraction of the files
	SubsetBoth       = "both"       // both, training in Files and validation in Validation
)

// DirectoryOptions are the arguments that keras.utils.text_dataset_from_directory
// and image_dataset_from_directory share (keras/src/utils/dataset_utils.py,
// index_directory and get_training_or_validation_split), for labels="inferred":
// one subfolder of the directory per class.
type DirectoryOptions struct {
	// ClassNames is Keras's class_names: the classes, in label order. Each must
	// name a subfolder; subfolders not listed are ignored (so ClassNames
	// {"neg", "pos"} leaves out aclImdb/train/unsup/). Empty means every
	// subfolder whose name does not start with ".", in alphanumeric order
	// (byte order of the UTF-8 names, as Python's sorted).
	ClassNames []string
	// NoShuffle is Keras's shuffle=False: files stay in alphanumeric order
	// (class by class). By default they are shuffled as Keras does it, with
	// numpy.random.RandomState(Seed).shuffle, so a given seed splits a folder
	// exactly as Keras does.
	NoShuffle bool
	// Seed is Keras's seed, 0..MaxKerasSeed. Unlike Keras, which draws a random
	// seed when given none, 0 is simply a seed: the order is always reproducible.
	Seed int64
	// ValidationSplit is Keras's validation_split: the fraction in (0, 1) of the
	// (shuffled) files held out for validation, taken from the end. 0 means no
	// split; it then requires Subset to be empty, and Subset requires it.
	ValidationSplit float64
	// Subset is Keras's subset: SubsetTraining, SubsetValidation or SubsetBoth;
	// empty without a ValidationSplit.
	Subset string
	// FollowLinks is Keras's follow_links: descend into symbolic links to
	// directories found inside the class folders. A class folder itself may
	// always be a link, as in Keras.
	FollowLinks bool
}

// LabeledFiles are files with an integer label each (an index into the class
// names), in the order they are read.
type LabeledFiles struct {
	Paths  []string // the directory joined with the path below it
	Labels []int    // Labels[i] is the class of Paths[i]
}

// Len returns the number of files.
func (f LabeledFiles) Len() int { return len(f.Paths) }

// DirectoryFiles is what TextDirectory and ImageDirectory list: Keras's
// file_paths, labels and class_names, split as requested.
type DirectoryFiles struct {
	// LabeledFiles holds the requested subset: all files without a split, the
	// training or validation part, or for SubsetBoth the training part.
	LabeledFiles
	// Validation holds the validation part for SubsetBoth, and is empty otherwise.
	Validation LabeledFiles
	// ClassNames names the classes: label i is ClassNames[i].
	ClassNames []string
	// Skipped counts files inside the class folders that were left out because
	// their extension is not one of the format's (".txt", or the image ones).
	// Files directly in the top directory are not in any class and not counted.
	Skipped int
}

// String summarises the listing as Keras prints it.
func (f *DirectoryFiles) String() string {
	s := fmt.Sprintf("%d files belonging to %d classes", f.Len()+f.Validation.Len(), len(f.ClassNames))
	if f.Validation.Len() > 0 {
		s += fmt.Sprintf(" (%d for training, %d for validation)", f.Len(), f.Validation.Len())
	}
	return s
}

// indexDirectory lists the files of dir whose lower-cased names end in one of
// formats, labelled by class folder, shuffled and split as o asks. It is
// Keras's index_directory followed by get_training_or_validation_split.
func indexDirectory(op, dir string, formats []string, o DirectoryOptions) (*DirectoryFiles, error) {
	if err := o.check(); err != nil {
		return nil, &Error{Op: op, Path: dir, Err: err}
	}
	classes, err := classFolders(dir, o.ClassNames)
	if err != nil {
		return nil, wrapIOError(op, dir, err)
	}
	var all LabeledFiles
	skipped := 0
	for label, class := range classes {
		files, skip, err := walkClass(dir, class, formats, o.FollowLinks)
		if err != nil {
			return nil, wrapIOError(op, dir, err)
		}
		skipped += skip
		for _, f := range files {
			all.Paths = append(all.Paths, f)
			all.Labels = append(all.Labels, label)
		}
	}
	if all.Len() == 0 {
		return nil, newError(op, dir, ErrNotFound, "no %s files in the class folders %s (%d other files skipped)",
			strings.Join(formats, " "), strings.Join(classes, ", "), skipped)
	}
	if !o.NoShuffle {
		perm := numpyPermutation(all.Len(), uint32(o.Seed))
		all = all.take(perm)
	}
	out := &DirectoryFiles{LabeledFiles: all, ClassNames: classes, Skipped: skipped}
	if o.ValidationSplit == 0 {
		return out, nil
	}
	n := all.Len()
	numVal := int(o.ValidationSplit * float64(n)) // Keras: int(validation_split * len(samples))
	if numVal == 0 {
		return nil, newError(op, dir, ErrInvalidArgument,
			"validation_split %v of %d files leaves %d for training and %d for validation; both need at least one",
			o.ValidationSplit, n, n-numVal, numVal)
	}
	cut := n - numVal // capacity-limited, so appending to one part cannot overwrite the other
	train := LabeledFiles{Paths: all.Paths[:cut:cut], Labels: all.Labels[:cut:cut]}
	val := LabeledFiles{Paths: all.Paths[cut:], Labels: all.Labels[cut:]}
	switch o.Subset {
	case SubsetTraining:
		out.LabeledFiles = train
	case SubsetValidation:
		out.LabeledFiles = val
	case SubsetBoth:
		out.LabeledFiles, out.Validation = train, val
	}
	return out, nil
}

// check validates the options as Keras's check_validation_split_arg does, plus
// the seed's range. A seed is always present here, so Keras's "shuffling with
// a validation split needs a seed" rule holds by construction.
func (o DirectoryOptions) check() error {
	if o.ValidationSplit != 0 && !(o.ValidationSplit > 0 && o.ValidationSplit < 1) {
		return fmt.Errorf("%w: validation_split is %v, want a value in (0, 1) or 0 for none", ErrInvalidArgument, o.ValidationSplit)
	}
	switch o.Subset {
	case "", SubsetTraining, SubsetValidation, SubsetBoth:
	default:
		return fmt.Errorf("%w: subset %q (valid: %s, %s, %s)", ErrInvalidArgument, o.Subset, SubsetTraining, SubsetValidation, SubsetBoth)
	}
	if (o.ValidationSplit != 0) != (o.Subset != "") {
		return fmt.Errorf("%w: validation_split is %v and subset %q; set both or neither", ErrInvalidArgument, o.ValidationSplit, o.Subset)
	}
	if o.Seed < 0 || o.Seed > MaxKerasSeed {
		return fmt.Errorf("%w: seed is %d, want 0..%d (numpy's RandomState range)", ErrInvalidArgument, o.Seed, int64(MaxKerasSeed))
	}
	seen := make(map[string]bool, len(o.ClassNames))
	for _, c := range o.ClassNames {
		if c == "" || strings.ContainsAny(c, `/\`) || c == "." || c == ".." {
			return fmt.Errorf("%w: class name %q is not a folder name", ErrInvalidArgument, c)
		}
		if seen[c] {
			return fmt.Errorf("%w: class name %q is listed twice in class_names", ErrInvalidArgument, c)
		}
		seen[c] = true
	}
	return nil
}

// take returns the files in the order given by idx.
func (f LabeledFiles) take(idx []int) LabeledFiles {
	out := LabeledFiles{Paths: make([]string, len(idx)), Labels: make([]int, len(idx))}
	for i, j := range idx {
		out.Paths[i], out.Labels[i] = f.Paths[j], f.Labels[j]
	}
	return out
}

// classFolders returns the class subfolders of dir: want if given (each must
// exist), else every subfolder (or link to one) not starting with ".", sorted.
// A classifier needs at least two classes.
func classFolders(dir string, want []string) ([]string, error) {
	entries, err := os.ReadDir(dir) // sorted by name, like Keras's sorted(os.listdir)
	if err != nil {
		return nil, err
	}
	var subdirs []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if isDir(filepath.Join(dir, e.Name())) { // follows links, like os.path.isdir
			subdirs = append(subdirs, e.Name())
		}
	}
	if len(want) > 0 {
		for _, c := range want {
			if !slices.Contains(subdirs, c) {
				return nil, fmt.Errorf("%w: class_names has %q, which is not a subfolder (subfolders: %s)", ErrInvalidArgument, c, listOrNone(subdirs))
			}
		}
		if len(want) < 2 {
			return nil, fmt.Errorf("%w: class_names lists %d class; a classifier needs 2 or more", ErrInvalidArgument, len(want))
		}
		return slices.Clone(want), nil
	}
	switch len(subdirs) {
	case 0:
		return nil, fmt.Errorf("%w: no class subfolders (want one subfolder of files per class)", ErrNotFound)
	case 1:
		return nil, fmt.Errorf("%w: only one class subfolder, %q; a classifier needs 2 or more (one subfolder per class)", ErrFormat, subdirs[0])
	}
	return subdirs, nil
}

// listOrNone joins names for an error message.
func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// walkClass lists the files of one class folder as Keras's index_subdirectory
// does: os.walk's directories sorted by path, each one's files sorted by name,
// keeping names whose lower-cased form ends in one of formats. Like os.walk, it
// descends into real subdirectories always and into links to directories only
// with followLinks; entries that are not directories (files, links to files,
// broken links) are candidate files. Unlike os.walk, which ignores them, an
// unreadable subdirectory and (with followLinks) a link cycle are errors.
func walkClass(dir, class string, formats []string, followLinks bool) (files []string, skipped int, err error) {
	type walked struct {
		key   string   // "" for the class folder, "/sub/dir" below it: os.walk's root sort key
		path  string   // the directory on disk
		files []string // names of the matching files, sorted
	}
	var dirs []walked
	type ancestor struct {
		path string
		info os.FileInfo
	}
	var visit func(key, path string, ancestors []ancestor) error
	visit = func(key, path string, ancestors []ancestor) error {
		fi, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrIO, err)
		}
		for _, a := range ancestors {
			if os.SameFile(a.info, fi) {
				return fmt.Errorf("%w: %s is %s again, a directory above it (a link cycle with follow_links)", ErrFormat, path, a.path)
			}
		}
		ancestors = append(ancestors, ancestor{path, fi})
		entries, err := os.ReadDir(path)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrIO, err)
		}
		w := walked{key: key, path: path}
		var sub []string
		for _, e := range entries {
			full := filepath.Join(path, e.Name())
			isDirEntry := e.IsDir()
			if e.Type()&fs.ModeSymlink != 0 && isDir(full) {
				if !followLinks {
					continue // a link to a directory is a directory to os.walk, not walked
				}
				isDirEntry = true
			}
			if isDirEntry {
				sub = append(sub, e.Name())
				continue
			}
			if hasFormat(e.Name(), formats) {
				w.files = append(w.files, e.Name())
			} else {
				skipped++
			}
		}
		dirs = append(dirs, w)
		for _, name := range sub {
			if err := visit(key+"/"+name, filepath.Join(path, name), ancestors); err != nil {
				return err
			}
		}
		return nil
	}
	if err := visit("", filepath.Join(dir, class), nil); err != nil {
		return nil, 0, err
	}
	slices.SortFunc(dirs, func(a, b walked) int { return strings.Compare(a.key, b.key) })
	for _, d := range dirs {
		for _, name := range d.files { // os.ReadDir sorted them
			files = append(files, filepath.Join(d.path, name))
		}
	}
	return files, skipped, nil
}

// hasFormat reports whether name, lower-cased, ends in one of formats, as
// Keras's fname.lower().endswith(formats).
func hasFormat(name string, formats []string) bool {
	lower := strings.ToLower(name)
	for _, f := range formats {
		if strings.HasSuffix(lower, f) {
			return true
		}
	}
	return false
}
