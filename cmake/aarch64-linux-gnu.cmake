# Cross build for arm64 (aarch64) on a Debian x86-64 host, with Debian's cross compiler and the arm64
# libraries installed through multiarch (tests/cross-arm64.sh installs both and runs this build):
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
# The host's protoc-c and go-md2man still run at build time; the unit tests run under qemu-aarch64 when
# it is installed (ctest uses CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# the arm64 .pc files only (never the host's, whose -L would point at x86-64 archives)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# libraries and headers from the arm64 locations; programs (protoc-c, go-md2man, git) from the host
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
find_program(HUSK_QEMU_AARCH64 qemu-aarch64)
if(HUSK_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${HUSK_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()
