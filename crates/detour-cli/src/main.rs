//! `detour`: measure, model and fact-check how sanctions reroute trade.
//!
//! The binary parses arguments, calls the library crates and prints; nothing
//! here computes anything a library user could not get from the crates.

/// `print!` that ends the process quietly when the reader of stdout has gone (`detour … | head`),
/// instead of panicking as `print!` does.
macro_rules! out {
    ($($t:tt)*) => {
        $crate::output::emit(&format!($($t)*))
    };
}

/// `println!`, the same way.
macro_rules! outln {
    () => {
        $crate::output::emit("\n")
    };
    ($($t:tt)*) => {
        $crate::output::emit(&format!("{}\n", format_args!($($t)*)))
    };
}

mod args;
mod check;
mod country;
mod diversion;
mod estimate;
mod fx;
mod group;
mod implied_base;
mod ingest;
mod mirror;
mod output;
mod period;
mod records;
mod report;
mod series;
mod serve;
mod share;
mod simulate;
mod sources;
mod sql;
mod summary;
mod trade;

use anyhow::{Context, Result};
use clap::Parser;
use detour_store::{Store, default_store};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

fn spinner(msg: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// The store the user named, or the embedded default (built on first use).
fn open_store(path: &Option<PathBuf>) -> Result<Store> {
    match path {
        Some(p) => Store::open(p).with_context(|| format!("opening store {}", p.display())),
        None => {
            let pb = ProgressBar::new(default_store::FILES.len() as u64);
            pb.set_style(
                ProgressStyle::with_template(
                    "building the default store {bar:20} {pos}/{len} {msg}",
                )
                .expect("valid template"),
            );
            let s = default_store::open(&|i, name| {
                pb.set_position(i as u64);
                pb.set_message(name.to_string());
            });
            pb.finish_and_clear();
            s.context("opening the embedded default store")
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command.unwrap_or(Command::Summary) {
        Command::Summary => summary::summary(&open_store(&cli.store)?),
        Command::Diversion(a) => diversion::run(a, &cli.store),
        Command::Simulate(args) => {
            let opts = detour_sim::SimulateOptions {
                store: cli.store.clone(),
                ..args.options()
            };
            out!("{}", detour_sim::run(&opts)?);
            Ok(())
        }
        Command::Check(args) => {
            let store = cli.store.clone();
            out!("{}", check::check(&args, &|| open_store(&store))?);
            Ok(())
        }
        Command::Report(args) => {
            let store = open_store(&cli.store)?;
            summary::summary(&store)?;
            outln!();
            let path = report::run(&args, &store)?;
            outln!("report written to {}", path.display());
            Ok(())
        }
        Command::Extract(args) => {
            out!("{}", check::extract(&args)?);
            Ok(())
        }
        Command::Estimate(args) => {
            let store = cli.store.clone();
            out!("{}", estimate::run(&args, &|| open_store(&store))?);
            Ok(())
        }
        Command::Ingest(a) => ingest::run(a, &cli.store),
        Command::Sql(a) => sql::run(a, &cli.store),
        Command::Sources(a) => sources::run(a, &cli.store),
        Command::Country(a) => country::run(a, &cli.store),
        Command::Group(a) => group::run(a, &cli.store),
        Command::Fx(a) => fx::run(a, &cli.store),
        Command::Trade(a) => trade::run(a, &cli.store),
        Command::Mirror(a) => mirror::run(a, &cli.store),
        Command::Records(a) => records::run(a, &cli.store),
        Command::Series(a) => series::run(a, &cli.store),
        Command::Share(a) => share::run(a, &cli.store),
        Command::ImpliedBase(a) => implied_base::run(a, &cli.store),
        Command::Period(a) => period::run(a, &cli.store),
        Command::Serve(args) => serve::open(&args, open_store(&cli.store)?),
    }
}
