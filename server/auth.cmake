# clas_server_auth: authentication (bearer tokens against a token file of hashes) and the
# authorisation policy of the gRPC server's callers. Pure of gRPC: the server adapts it.
add_library(clas_server_auth STATIC
  ${CMAKE_CURRENT_LIST_DIR}/auth.cc
  ${CMAKE_CURRENT_LIST_DIR}/auth_token_file.cc)
target_compile_options(clas_server_auth PRIVATE ${CLAS_WARNINGS})
target_include_directories(clas_server_auth PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(clas_server_auth
  PUBLIC clas_base absl::status absl::statusor absl::synchronization absl::time
  PRIVATE OpenSSL::Crypto absl::strings absl::str_format)
