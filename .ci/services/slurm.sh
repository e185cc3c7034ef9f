# Sourced by .ci/run (which defines apt_install). Installs and starts a real single-node
# Slurm (munged, slurmctld, slurmd from Debian 12: Slurm 22.05) for the Slurm executor's
# tests, then exports AUTOLAB_TEST_SLURM=1. Safe to source again: a running cluster is reused.
#
# The cluster: ClusterName=autolab-ci, one node (this host) in partition `debug`, no
# cgroups (proctrack/linuxproc, task/none), no slurmdbd: job completion goes to a text
# file (jobcomp/filetxt) that `sacct --completion` reads. Memory is a consumable resource
# and the accounting gatherer samples every second and kills steps over their --mem
# (OverMemoryKill), so memory tests need no cgroups.
# Run it by hand on a dev machine with: bash -c 'apt_install() { apt-get install -y "$@"; }; source .ci/services/slurm.sh'

autolab_slurm_start() {
  local host conf_dir=/etc/slurm cpus mem_mb i state old_conf
  if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
    apt_install slurmctld slurmd slurm-client munge
  fi
  host="$(hostname -s)"

  # munge: a key, its folders, the daemon (as the munge user).
  mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=128 status=none
  fi
  chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
  chmod 0700 /etc/munge
  chmod 0400 /etc/munge/munge.key
  chmod 0755 /run/munge
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged --force
    for i in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
    munge -n | unmunge >/dev/null || { echo "slurm.sh: munged did not start" >&2; return 1; }
  fi

  # slurm.conf: this host as the only node. CPUs are oversubscribed (8 per core, allowed by
  # config_overrides) so a test suite's short jobs, from several test files at once, do not
  # queue behind one another.
  cpus=$(( $(nproc) * 8 ))
  old_conf="$(cat "$conf_dir/slurm.conf" 2>/dev/null || true)"
  mem_mb=$(( $(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo) - 1024 ))
  mkdir -p "$conf_dir" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  cat >"$conf_dir/slurm.conf" <<EOF
# Written by autolab's .ci/services/slurm.sh: a single-node test cluster.
ClusterName=autolab-ci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmdParameters=config_overrides
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
MinJobAge=300
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=60
KillWait=2
InactiveLimit=0
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  touch /var/log/slurm/jobcomp.log

  # A cluster started with another slurm.conf is stopped, to start again with this one.
  if [ -n "$old_conf" ] && [ "$old_conf" != "$(cat "$conf_dir/slurm.conf")" ] && scontrol ping 2>/dev/null | grep -q 'is UP'; then
    scontrol shutdown >/dev/null 2>&1 || true
    for i in $(seq 1 80); do
      { scontrol ping 2>/dev/null | grep -q 'is UP' || { [ -s /run/slurmd.pid ] && kill -0 "$(cat /run/slurmd.pid)" 2>/dev/null; }; } || break
      sleep 0.25
    done
  fi

  if ! scontrol ping 2>/dev/null | grep -q 'is UP'; then
    /usr/sbin/slurmctld
  fi
  if ! { [ -s /run/slurmd.pid ] && kill -0 "$(cat /run/slurmd.pid)" 2>/dev/null; }; then
    /usr/sbin/slurmd
  fi

  for i in $(seq 1 120); do
    state="$(sinfo -h -n "$host" -o %T 2>/dev/null | head -n1)"
    case "$state" in
      idle|mixed|allocated) break ;;
      down*|drain*|unknown*|"") [ $((i % 10)) = 5 ] && scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  case "$state" in
    idle|mixed|allocated) echo "slurm.sh: node $host is $state (Slurm $(sinfo --version | awk '{print $2}'))" ;;
    *)
      echo "slurm.sh: node $host did not become idle (state: ${state:-none})" >&2
      tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
      return 1
      ;;
  esac
}

autolab_slurm_start
export AUTOLAB_TEST_SLURM=1
