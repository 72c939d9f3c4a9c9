//! What the reference agent reads off its host: name, cores, memory, NVIDIA GPUs, and the
//! address it reaches pooladmin from.

use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::process::Command;

/// The host as it checks in.
#[derive(Clone, Debug, PartialEq)]
pub struct HostFacts {
    /// Host name.
    pub hostname: String,
    /// Address sessions reach it at.
    pub address: String,
    /// CPU cores.
    pub cores: f64,
    /// Memory in MB.
    pub memory_mb: i64,
    /// NVIDIA GPUs.
    pub gpus: i64,
}

/// Reads the host; `address` overrides the address found by routing toward `api_host`.
pub fn read_host(api_host: &str, address: Option<&str>) -> HostFacts {
    HostFacts {
        hostname: hostname(),
        address: address
            .map(str::to_owned)
            .or_else(|| route_address(api_host))
            .unwrap_or_else(|| "127.0.0.1".to_owned()),
        cores: std::thread::available_parallelism().map_or(1.0, |n| n.get() as f64),
        memory_mb: std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| mem_total_mb(&text))
            .unwrap_or(0),
        gpus: nvidia_gpus(),
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// `MemTotal` of /proc/meminfo, in MB.
pub fn mem_total_mb(meminfo: &str) -> Option<i64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: i64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// GPUs `nvidia-smi -L` lists (0 when it is not there).
fn nvidia_gpus() -> i64 {
    Command::new("nvidia-smi")
        .arg("-L")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or(0, |o| count_gpu_lines(&String::from_utf8_lossy(&o.stdout)))
}

/// Lines of `nvidia-smi -L` that name a GPU.
pub fn count_gpu_lines(listing: &str) -> i64 {
    listing
        .lines()
        .filter(|l| l.trim_start().starts_with("GPU "))
        .count() as i64
}

/// The local address the system would use toward `host:port` (no packet is sent).
fn route_address(host_port: &str) -> Option<String> {
    let target: SocketAddr = host_port.to_socket_addrs().ok()?.next()?;
    let bind = if target.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let socket = UdpSocket::bind(bind).ok()?;
    socket.connect(target).ok()?;
    Some(socket.local_addr().ok()?.ip().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_and_gpus_are_read_from_their_listings() {
        assert_eq!(
            mem_total_mb("MemTotal:       16384000 kB\nMemFree: 1 kB\n"),
            Some(16000)
        );
        assert_eq!(mem_total_mb("nothing"), None);
        let smi = "GPU 0: NVIDIA A10G (UUID: GPU-1)\nGPU 1: NVIDIA A10G (UUID: GPU-2)\n";
        assert_eq!(count_gpu_lines(smi), 2);
        assert_eq!(count_gpu_lines(""), 0);
    }

    #[test]
    fn the_host_reads_as_something() {
        let facts = read_host("127.0.0.1:9", None);
        assert!(facts.cores >= 1.0);
        assert_eq!(facts.address, "127.0.0.1");
        assert!(!facts.hostname.is_empty());
    }
}
