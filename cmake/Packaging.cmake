# The Debian package, gd2sentinel_<version>-<revision>_<arch>.deb, built by CPack:
#
#   cmake --build --preset release --target package     (the .deb lands in build/release)
#
#   /usr/bin/gd2sentinel                         the binary (install rule in src/CMakeLists.txt)
#   /usr/share/man/man1/gd2sentinel.1.gz         written by help2man from --help and --version
#   /lib/systemd/system/gd2sentinel.service      deploy/systemd/gd2sentinel.service, run from /usr/bin
#   /etc/gd2sentinel/gd2sentinel.toml            deploy/systemd/gd2sentinel.toml.example, a conffile,
#                                                mode 0600 in a folder of mode 0700
#   /usr/share/doc/gd2sentinel/                  copyright, changelog.Debian.gz, README.Debian
#   /usr/share/lintian/overrides/gd2sentinel     the lintian tags this package answers for
#
# and the maintainer scripts of packaging/debian (what dh_installsystemd writes, without enabling
# or starting the service). The version is the top entry of packaging/debian/changelog, whose
# upstream part must be the project's version. Depends comes from dpkg-shlibdeps, plus
# ca-certificates (every endpoint is HTTPS). packaging/tests/package_test.sh (ctest -L package)
# builds the package from the build tree, runs lintian on it and installs it into a scratch root.
#
# The files outside /usr belong to the package alone: they are in the component `debian_package`,
# which a plain `cmake --install` leaves out (it would overwrite /etc/gd2sentinel/gd2sentinel.toml).

set(GD2S_PACKAGING_DIR "${PROJECT_SOURCE_DIR}/packaging/debian")
set(GD2S_PACKAGE_STAGING "${PROJECT_BINARY_DIR}/packaging")
set(GD2S_PACKAGE_MAINTAINER "gd2sentinel maintainers <maintainers@users.noreply.r-seed-85fe4fcc.example>"
    CACHE STRING "The Maintainer field of the Debian package")

find_program(GD2S_HELP2MAN help2man)
find_program(GD2S_GZIP gzip REQUIRED)
if(NOT GD2S_HELP2MAN)
  # packaging/tests registers a test that fails saying so; the rest of the build goes on.
  message(WARNING "packaging: help2man not found (Debian: apt-get install help2man, or "
                  "scripts/setup); the Debian package cannot be built")
  return()
endif()

# --- The version: the top entry of packaging/debian/changelog ------------------------------------
file(STRINGS "${GD2S_PACKAGING_DIR}/changelog" gd2s_changelog_top LIMIT_COUNT 1)
if(NOT gd2s_changelog_top MATCHES "^gd2sentinel \\(([^-)]+)-([^)]+)\\) ")
  message(FATAL_ERROR "packaging/debian/changelog: the first line is not "
                      "'gd2sentinel (VERSION-REVISION) DISTRIBUTION; urgency=…'")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "packaging/debian/changelog: its top entry is version ${CMAKE_MATCH_1}, "
                      "the project is ${PROJECT_VERSION}; add an entry for ${PROJECT_VERSION} "
                      "(dch -v ${PROJECT_VERSION}-1)")
endif()
set(GD2S_DEBIAN_REVISION "${CMAKE_MATCH_2}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  "${GD2S_PACKAGING_DIR}/changelog" "${PROJECT_SOURCE_DIR}/deploy/systemd/gd2sentinel.service")

# --- The unit: deploy/systemd's, run from /usr/bin ----------------------------------------------
file(READ "${PROJECT_SOURCE_DIR}/deploy/systemd/gd2sentinel.service" gd2s_unit)
string(FIND "${gd2s_unit}" "ExecStart=/usr/local/bin/gd2sentinel " gd2s_exec_at)
string(FIND "${gd2s_unit}" "\nDescription=" gd2s_description_at)
if(gd2s_exec_at EQUAL -1 OR gd2s_description_at EQUAL -1)
  message(FATAL_ERROR "packaging: deploy/systemd/gd2sentinel.service no longer has "
                      "'Description=' and 'ExecStart=/usr/local/bin/gd2sentinel …'; update "
                      "cmake/Packaging.cmake, which rewrites them for /usr/bin")
endif()
string(REPLACE "/usr/local/bin/gd2sentinel" "/usr/bin/gd2sentinel" gd2s_unit "${gd2s_unit}")
# `systemctl help gd2sentinel` opens the man page.
string(REGEX REPLACE "\nDescription=([^\n]*)\n" "\nDescription=\\1\nDocumentation=man:gd2sentinel(1)\n"
       gd2s_unit "${gd2s_unit}")
file(WRITE "${GD2S_PACKAGE_STAGING}/gd2sentinel.service" "${gd2s_unit}")

# --- Files made at build time: the man page and the compressed changelog ------------------------
# help2man: NAME, SYNOPSIS, OPTIONS and the list of commands from `gd2sentinel --help`, the
# version from --version, a COMMANDS section with each command's --help
# (packaging/man_commands.cmake), and the sections of packaging/debian/gd2sentinel.h2m.
add_custom_command(
  OUTPUT "${GD2S_PACKAGE_STAGING}/gd2sentinel.1.gz"
  COMMAND "${CMAKE_COMMAND}" -DBINARY=$<TARGET_FILE:gd2sentinel>
          -DOUTPUT=${GD2S_PACKAGE_STAGING}/commands.h2m
          -P "${PROJECT_SOURCE_DIR}/packaging/man_commands.cmake"
  COMMAND "${GD2S_HELP2MAN}" --no-info --section=1 --version-option=--version
          --include=${GD2S_PACKAGING_DIR}/gd2sentinel.h2m
          --include=${GD2S_PACKAGE_STAGING}/commands.h2m
          --output=${GD2S_PACKAGE_STAGING}/gd2sentinel.1 $<TARGET_FILE:gd2sentinel>
  COMMAND "${GD2S_GZIP}" -9nf "${GD2S_PACKAGE_STAGING}/gd2sentinel.1"
  DEPENDS gd2sentinel "${GD2S_PACKAGING_DIR}/gd2sentinel.h2m"
          "${PROJECT_SOURCE_DIR}/packaging/man_commands.cmake"
  COMMENT "help2man: gd2sentinel.1"
  VERBATIM)
add_custom_command(
  OUTPUT "${GD2S_PACKAGE_STAGING}/changelog.Debian.gz"
  COMMAND "${GD2S_GZIP}" -9nc "${GD2S_PACKAGING_DIR}/changelog" >
          "${GD2S_PACKAGE_STAGING}/changelog.Debian.gz"
  DEPENDS "${GD2S_PACKAGING_DIR}/changelog"
  VERBATIM)
add_custom_target(debian_package_files ALL
  DEPENDS "${GD2S_PACKAGE_STAGING}/gd2sentinel.1.gz" "${GD2S_PACKAGE_STAGING}/changelog.Debian.gz")

# --- What the package installs besides the binary -----------------------------------------------
set(gd2s_component COMPONENT debian_package EXCLUDE_FROM_ALL)
install(FILES "${GD2S_PACKAGE_STAGING}/gd2sentinel.1.gz" DESTINATION share/man/man1 ${gd2s_component})
install(FILES "${GD2S_PACKAGE_STAGING}/gd2sentinel.service" DESTINATION /lib/systemd/system
        ${gd2s_component})
install(FILES "${PROJECT_SOURCE_DIR}/deploy/systemd/gd2sentinel.toml.example"
        DESTINATION /etc/gd2sentinel RENAME gd2sentinel.toml
        PERMISSIONS OWNER_READ OWNER_WRITE ${gd2s_component})
# The folder root's alone too, as the unit's ConfigurationDirectoryMode=0700 keeps it. (CPack's DEB
# generator installs into its staging folder through DESTDIR, also for absolute destinations.)
install(CODE "file(CHMOD \"\$ENV{DESTDIR}/etc/gd2sentinel\"
                    DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)"
        ${gd2s_component})
install(FILES "${GD2S_PACKAGING_DIR}/copyright" "${GD2S_PACKAGING_DIR}/README.Debian"
              "${GD2S_PACKAGE_STAGING}/changelog.Debian.gz"
        DESTINATION share/doc/gd2sentinel ${gd2s_component})
install(FILES "${GD2S_PACKAGING_DIR}/lintian-overrides" DESTINATION share/lintian/overrides
        RENAME gd2sentinel ${gd2s_component})

# --- Control files -------------------------------------------------------------------------------
# dpkg marks only what `conffiles` lists; every file in /etc must be there (lintian checks).
file(WRITE "${GD2S_PACKAGE_STAGING}/conffiles" "/etc/gd2sentinel/gd2sentinel.toml\n")

# --- CPack ---------------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gd2sentinel)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${GD2S_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

# One package of the binary's (unnamed) component and this file's.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified debian_package)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_NAME gd2sentinel)
set(CPACK_DEBIAN_PACKAGE_RELEASE "${GD2S_DEBIAN_REVISION}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${GD2S_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS ca-certificates)
# CPack makes the synopsis of the summary and puts the extended description after it.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "move Amazon GuardDuty findings into Microsoft Sentinel")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "gd2sentinel reads Amazon GuardDuty findings from their S3 export (listing the
bucket, or from SQS notifications), the GuardDuty API or local files, and
sends them to a Microsoft Sentinel workspace through the Logs Ingestion API
or the legacy Data Collector API, committing each S3 object or SQS message
only once every finding from it was delivered, filtered or dead-lettered.
.
The package installs a hardened systemd unit, neither enabled nor started,
and an example config in /etc/gd2sentinel.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${GD2S_PACKAGING_DIR}/postinst" "${GD2S_PACKAGING_DIR}/prerm" "${GD2S_PACKAGING_DIR}/postrm"
    "${GD2S_PACKAGE_STAGING}/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
