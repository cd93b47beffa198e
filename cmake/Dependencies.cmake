# Every dependency comes from Debian 12's packages (see scripts/setup.sh).
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
if(TESSERA_BUILD_TESTS AND NOT TESSERA_FUZZ)
  find_package(GTest REQUIRED)
endif()
