# Every dependency comes from Debian packages, installed by deploy/local/install-deps.sh.
find_package(Threads REQUIRED)
find_package(Protobuf CONFIG QUIET)
if(NOT Protobuf_FOUND)
  find_package(Protobuf REQUIRED)
endif()
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(GTest CONFIG REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(CURL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka rdkafka++)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
find_package(yaml-cpp 0.7 CONFIG REQUIRED)

# libphonenumber: Debian 12's libphonenumber-dev (8.12) ships neither a CMake config nor a
# pkg-config file, so the library is wrapped here. Its headers include generated protobuf
# code and Abseil containers, hence the interface links.
find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h REQUIRED)
find_library(PHONENUMBER_LIBRARY phonenumber REQUIRED)
add_library(custflow::phonenumber UNKNOWN IMPORTED)
set_target_properties(custflow::phonenumber PROPERTIES
  IMPORTED_LOCATION "${PHONENUMBER_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${PHONENUMBER_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES "protobuf::libprotobuf;absl::node_hash_map;absl::node_hash_set")

# jemalloc for the service binaries: the event paths allocate many small protobuf
# strings, and glibc malloc spent about a third of ingest's CPU on them (perf; ingest
# streamed 34 % more events/s with jemalloc in the same benchmark run).
find_library(JEMALLOC_LIBRARY NAMES jemalloc)
# Report exports: charts and PDF pages drawn with cairo and pango, workbooks with libxlsxwriter.
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo cairo-pdf cairo-svg cairo-png pangocairo)
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
