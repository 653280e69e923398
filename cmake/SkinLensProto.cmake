# skinlens_proto_library(<target> PROTO_ROOT <dir> PROTOS <files...> [GRPC])
#
# Generates C++ protobuf (and, with GRPC, gRPC service) code for .proto files at
# build time and wraps it in a static library. Nothing generated is committed.
function(skinlens_proto_library target)
  cmake_parse_arguments(ARG "GRPC" "PROTO_ROOT" "PROTOS;DEPS" ${ARGN})
  set(_out "${CMAKE_CURRENT_BINARY_DIR}/gen")
  file(MAKE_DIRECTORY "${_out}")
  set(_srcs "")
  set(_hdrs "")
  foreach(_proto IN LISTS ARG_PROTOS)
    get_filename_component(_abs "${_proto}" ABSOLUTE)
    file(RELATIVE_PATH _rel "${ARG_PROTO_ROOT}" "${_abs}")
    string(REGEX REPLACE "\\.proto$" "" _stem "${_rel}")
    set(_gen "${_out}/${_stem}.pb.cc" "${_out}/${_stem}.pb.h")
    set(_cmd_args --cpp_out=${_out})
    if(ARG_GRPC)
      list(APPEND _gen "${_out}/${_stem}.grpc.pb.cc" "${_out}/${_stem}.grpc.pb.h")
      list(APPEND _cmd_args --grpc_out=${_out}
           --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>)
    endif()
    add_custom_command(
      OUTPUT ${_gen}
      COMMAND protobuf::protoc ARGS ${_cmd_args} -I "${ARG_PROTO_ROOT}" "${_abs}"
      DEPENDS "${_abs}" protobuf::protoc
      COMMENT "Generating C++ code from ${_rel}"
      VERBATIM)
    list(APPEND _srcs ${_gen})
  endforeach()
  add_library(${target} STATIC ${_srcs})
  target_include_directories(${target} PUBLIC "${_out}")
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  if(ARG_GRPC)
    target_link_libraries(${target} PUBLIC gRPC::grpc++)
  endif()
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
