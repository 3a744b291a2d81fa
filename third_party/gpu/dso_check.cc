// dso_check asks TensorFlow's own loader (tsl::internal::DsoLoader, exported by both
// libtensorflow_framework.so.2 and libtensorflow_cc.so.2) to open each CUDA library it
// loads at run time, and prints where each came from. TensorFlow dlopens these by soname,
// so they resolve through the RUNPATH of the TensorFlow library that calls dlopen
// ($ORIGIN/../nvidia/<pkg>/lib), not through the program's: this is the check that the
// layout of third_party/libtensorflow-gpu works without LD_LIBRARY_PATH. Exit status 1
// when a library other than the driver's libcuda.so.1 cannot be opened.
//
// Build: g++ -o dso_check dso_check.cc -ldl   Run: dso_check <libtensorflow-gpu>/lib
#include <dlfcn.h>
#include <link.h>

#include <cstdint>
#include <cstdio>
#include <string>

// Result has absl::StatusOr<void*>'s layout (the absl::Status word, then the value) and,
// like it, a non-trivial destructor, so it is returned the same way (through a hidden
// pointer). In the absl of TensorFlow 2.18 an OK status is the word 0 (an error is a
// tagged pointer to its message); the handle is then checked with dlinfo too.
struct Result {
  uintptr_t status;
  void* handle;
  ~Result() {}  // the failed Status's message is leaked: this is a one-shot check
  bool ok() const { return status == 0 && handle != nullptr; }
};

using Loader = Result (*)();

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: dso_check <libtensorflow lib dir>\n");
    return 2;
  }
  std::string dir = argv[1];
  struct Dso {
    const char* loader;  // tsl::internal::DsoLoader::Get<loader>DsoHandle
    const char* soname;  // what it opens in TensorFlow 2.18's CUDA build
  } dsos[] = {
      {"CudaDriver", "libcuda.so.1"},     {"CudaRuntime", "libcudart.so.12"},
      {"Cublas", "libcublas.so.12"},      {"CublasLt", "libcublasLt.so.12"},
      {"Cufft", "libcufft.so.11"},        {"Cusolver", "libcusolver.so.11"},
      {"Cusparse", "libcusparse.so.12"},  {"Cupti", "libcupti.so.12"},
      {"Cudnn", "libcudnn.so.9"},         {"Nccl", "libnccl.so.2"},
  };
  int failed = 0;
  for (const char* lib : {"libtensorflow_framework.so.2", "libtensorflow_cc.so.2"}) {
    std::string path = dir + "/" + lib;
    void* tf = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (tf == nullptr) {
      std::printf("%s: %s\n", path.c_str(), dlerror());
      return 1;
    }
    std::printf("%s's loader:\n", lib);
    for (const Dso& d : dsos) {
      std::string name = std::string("Get") + d.loader + "DsoHandle";
      std::string sym = "_ZN3tsl8internal9DsoLoader" + std::to_string(name.size()) + name + "Ev";
      auto fn = reinterpret_cast<Loader>(dlsym(tf, sym.c_str()));
      if (fn == nullptr) {
        std::printf("  %-20s no loader %s in %s\n", d.soname, sym.c_str(), lib);
        failed++;
        continue;
      }
      Result r = fn();
      if (!r.ok()) {
        bool driver = std::string(d.soname) == "libcuda.so.1";
        std::printf("  %-20s NOT FOUND%s\n", d.soname, driver ? " (the NVIDIA driver's library: no driver on this machine)" : "");
        if (!driver) failed++;
        continue;
      }
      struct link_map* lm = nullptr;
      if (dlinfo(r.handle, RTLD_DI_LINKMAP, &lm) != 0 || lm == nullptr) {
        std::printf("  %-20s opened, but dlinfo fails: %s\n", d.soname, dlerror());
        failed++;
        continue;
      }
      std::printf("  %-20s %s\n", d.soname, lm->l_name);
    }
  }
  if (failed > 0) {
    std::printf("%d libraries not found\n", failed);
    return 1;
  }
  return 0;
}
