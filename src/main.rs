fn main() -> std::process::ExitCode {
    match airsign::cli::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("airsign: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
