// tessera-cli's subcommands. Each takes the arguments after its name and returns an exit code.
#pragma once

#include <span>
#include <string_view>

namespace tessera::cli {

int run_info(std::span<const std::string_view> args);
void print_info_help();
int run_download(std::span<const std::string_view> args);
void print_download_help();
int run_seed(std::span<const std::string_view> args);
void print_seed_help();
int run_check(std::span<const std::string_view> args);
void print_check_help();
int run_create(std::span<const std::string_view> args);
void print_create_help();
int run_magnet(std::span<const std::string_view> args);
void print_magnet_help();
// `info MAGNET`: what the link holds, as text or JSON.
int show_magnet_info(std::string_view link, bool json);

}  // namespace tessera::cli
