# `cmake --install`: the gatehouse program, the bundled rules, the libraries with their public
# headers, a CMake package (find_package(gatehouse CONFIG) -> gatehouse::engine, ::grammar, ::c,
# and the write path's ::store, ::service, ::dispatch) and a pkg-config file (the engine). Every
# library whose headers are installed is exported.
include(CMakePackageConfigHelpers)

install(TARGETS gatehouse_grammar gatehouse_engine gatehouse_store gatehouse_service gatehouse_dispatch
        EXPORT gatehouseTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/grammar/include/ ${PROJECT_SOURCE_DIR}/engine/include/
                  ${PROJECT_SOURCE_DIR}/service/store/include/ ${PROJECT_SOURCE_DIR}/service/write/include/
                  ${PROJECT_SOURCE_DIR}/service/dispatch/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/rules/ DESTINATION ${CMAKE_INSTALL_DATADIR}/gatehouse/rules)

install(EXPORT gatehouseTargets NAMESPACE gatehouse:: FILE gatehouseTargets.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gatehouse)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/gatehouseConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/gatehouseConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gatehouse)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/gatehouseConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gatehouseConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/gatehouseConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/gatehouse)

configure_file(${CMAKE_CURRENT_LIST_DIR}/gatehouse.pc.in ${CMAKE_CURRENT_BINARY_DIR}/gatehouse.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gatehouse.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
