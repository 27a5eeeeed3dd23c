# SPDX-License-Identifier: GPL-2.0
#
# PCM statistics over a KVM hypercall: the host patch set (host/), the guest
# module (guest/), their tests (selftests/) and a nested test bed (testbed/).
#
#   make demo      build everything, boot a patched KVM host and a guest
#                  under it, and show the counters from inside the guest
#   make check     the same set-up, then every test (TAP / bats output)
#   make vm-run CMD='...' [HOST_CMD='...'] [SHARE=dir] [KVM=stock]
#                  run CMD as root in the guest (HOST_CMD on the host first;
#                  KVM=stock: under Debian's unpatched KVM, no PCM at all;
#                  PCM_GUEST_KERNEL=<release>: the guest boots that kernel,
#                  one of GUEST_BOOT below, e.g. Debian's 6.12)
#   make soak N=30 boot the test-bed pair N times, count stalls
#                  (LANE=intel: the Intel test bed, testbed/intel/run)
#   make all       build only: patched KVM modules, pcm_guest.ko, the KVM
#                  selftest and the test bed's initramfs
#
# Everything is built under build/; a second run is incremental.

SHELL := /bin/bash
BUILD := $(CURDIR)/build
KDIR = /usr/src/linux-headers-$(KVER)
KTREE := $(BUILD)/linux
JOBS := $(shell nproc)

# CMD and HOST_CMD are shell text: pass them on as written, never expanded
# by make (a '$(uname -r)' in them is for the shell in the VM).
export PCM_CMD := $(value CMD)
export PCM_HOST_CMD := $(value HOST_CMD)
export PCM_SHARE := $(value SHARE)
export PCM_KVM := $(value KVM)

.PHONY: all deps host guest selftests upstream-selftests kselftest initramfs demo check vm-run \
	bench soak lint series series-check install clean

all: host guest selftests upstream-selftests kselftest initramfs $(BUILD)/pcm-fields \
	$(BUILD)/pcm-help $(BUILD)/pcm.rules.yml

# Every target below is a file with the sources it is built from, so a
# second `make all` with nothing changed only checks dates.  scripts/
# install-deps is one dpkg-query when everything is there.
deps:
	@scripts/install-deps

# The release of Debian's linux-image-amd64 (scripts/debian-kver), KVER,
# and the other kernels the test bed boots as the guest (scripts/guest-
# kernels boot: 6.12), GUEST_BOOT, name targets below, so make must know
# them while reading this file.  On a new machine nothing is installed
# yet: the rule for kver.mk installs the packages, then writes the
# releases, and make reads this file again with them (GNU make remakes an
# included makefile first).  Any package change (a kernel upgrade) makes
# it again; clean and install need no packages.
ifneq ($(MAKECMDGOALS),)
ifeq ($(filter-out clean install,$(MAKECMDGOALS)),)
KVER := $(shell scripts/debian-kver 2>/dev/null)
endif
endif
ifndef KVER
include $(BUILD)/kver.mk
endif
$(BUILD)/kver.mk: scripts/install-deps scripts/guest-kernels scripts/debian-kver \
		/var/lib/dpkg/status
	@scripts/install-deps
	@mkdir -p $(@D)
	@kver=$$(scripts/debian-kver) && boot=$$(scripts/guest-kernels boot) && \
		printf 'KVER := %s\nGUEST_BOOT := %s\n' "$$kver" "$$boot" >$@.tmp && mv $@.tmp $@

# What each part is built from (git ls-files would miss new files; kbuild
# writes the *.mod.c files itself).
src = $(shell find $(1) -type f \( -name '*.[ch]' -o -name Makefile \
	-o -name '*.patch' -o -name '*.sh' -o -name Kconfig \) \
	-not -name '*.mod.c' 2>/dev/null)
HOST_SRC := $(call src,host selftests/kvm selftests/pcm guest) Kconfig
GUEST_SRC := $(call src,guest host/include)
TESTMOD := selftests/guest/pcm_old_vmcall
TESTMOD_SRC := $(call src,$(TESTMOD) host/include)

# The patched KVM modules for KVER, in build/host/, and for each other
# kernel the test bed boots (GUEST_BOOT: Debian 12's 6.12, also a host
# kernel), in build/host-<release>/, each from its linux-source.
host: deps $(BUILD)/host/kvm.ko $(foreach r,$(GUEST_BOOT),$(BUILD)/host-$(r)/kvm.ko)
$(BUILD)/host/kvm.ko: $(HOST_SRC)
	@host/build-debian.sh $(BUILD)
	@touch $@
$(BUILD)/host-%/kvm.ko: $(HOST_SRC)
	@host/build-debian.sh $(BUILD) $*
	@touch $@

# pcm_guest.ko for every kernel the test bed boots, in build/guest/
# <release>/, with the test-only module pcm_old_vmcall.ko (selftests/guest).
guest: deps $(foreach r,$(KVER) $(GUEST_BOOT),$(BUILD)/guest/$(r)/pcm_guest.ko \
	$(BUILD)/guest/$(r)/pcm_old_vmcall.ko) $(BUILD)/guest/pcm_cpuid_loop
$(BUILD)/guest/%/pcm_guest.ko: $(GUEST_SRC)
	@$(MAKE) -s -C guest KDIR=/usr/src/linux-headers-$*
	@mkdir -p $(@D) && cp guest/pcm_guest.ko $@
$(BUILD)/guest/%/pcm_old_vmcall.ko: $(TESTMOD_SRC)
	@$(MAKE) -s -C $(TESTMOD) KDIR=/usr/src/linux-headers-$*
	@mkdir -p $(@D) && cp $(TESTMOD)/pcm_old_vmcall.ko $@
$(BUILD)/guest/pcm_cpuid_loop: selftests/guest/pcm_cpuid_loop.c
	@mkdir -p $(@D)
	@$(CC) -O2 -Wall -o $@ $<

# The KVM selftests, built with the patched tree's own selftest library.
# OUTPUT is given because kselftest's lib.mk only sets it for a top-level
# make (MAKELEVEL 0); left empty, it would write to /lib and /x86_64.
KSELFTEST_KVM := $(KTREE)/tools/testing/selftests/kvm
PCM_KVM_PROGS := $(basename $(notdir $(wildcard selftests/kvm/x86_64/*.c)))
# The same selftests built in each other host kernel's tree, with its
# library, in build/selftests-<release>/.
define build_pcm_selftests
	@$(MAKE) -s -C $(1) headers_install >/dev/null
	@$(MAKE) -s -C $(1)/tools/testing/selftests/kvm -j$(JOBS) \
		OUTPUT=$(1)/tools/testing/selftests/kvm \
		TEST_GEN_PROGS_x86_64="$(addprefix x86_64/,$(PCM_KVM_PROGS))" \
		TEST_GEN_PROGS_EXTENDED_x86_64=
	@mkdir -p $(@D)
	@rm -f $(@D)/pcm_*
	@cp $(addprefix $(1)/tools/testing/selftests/kvm/x86_64/,$(PCM_KVM_PROGS)) $(@D)/
	@touch $@
endef
selftests: host $(BUILD)/selftests/.built \
	$(foreach r,$(GUEST_BOOT),$(BUILD)/selftests-$(r)/.built)
$(BUILD)/selftests/.built: $(BUILD)/host/kvm.ko
	$(call build_pcm_selftests,$(KTREE))
$(BUILD)/selftests-%/.built: $(BUILD)/host-%/kvm.ko
	$(call build_pcm_selftests,$(BUILD)/linux-$*)

# Upstream's own KVM selftests (scripts/upstream-kvm-tests list), built
# from the same tree: make check runs them on the patched and the stock
# KVM of each test bed and compares.
UPSTREAM_KVM_TESTS = $(shell scripts/upstream-kvm-tests list --paths)
upstream-selftests: selftests $(BUILD)/upstream-selftests/.built
$(BUILD)/upstream-selftests/.built: $(BUILD)/selftests/.built scripts/upstream-kvm-tests
	@$(MAKE) -s -C $(KSELFTEST_KVM) -j$(JOBS) OUTPUT=$(KSELFTEST_KVM) \
		TEST_GEN_PROGS_x86_64="$(UPSTREAM_KVM_TESTS)" TEST_GEN_PROGS_EXTENDED_x86_64=
	@rm -rf $(@D) && mkdir -p $(@D)
	@cp $(addprefix $(KSELFTEST_KVM)/,$(UPSTREAM_KVM_TESTS)) $(@D)/
	@touch $@

# The guest's kselftest target pcm, built in the patched tree and installed
# with run_kselftest.sh into build/kselftest.
KSELFTESTS := $(KTREE)/tools/testing/selftests
kselftest: selftests $(BUILD)/kselftest/.built
$(BUILD)/kselftest/.built: $(BUILD)/selftests/.built
	@$(MAKE) -s -C $(KSELFTESTS) TARGETS=pcm
	@$(MAKE) -s -C $(KSELFTESTS) TARGETS=pcm INSTALL_PATH=$(BUILD)/kselftest \
		install >/dev/null
	@touch $@

# The counter list as "group field" lines, for shell scripts and tests.
$(BUILD)/pcm-fields: scripts/pcm-fields host/include/uapi/linux/kvm_pcm_counters.h
	@mkdir -p $(BUILD)
	@scripts/pcm-fields >$@.tmp && mv $@.tmp $@

# The counters' descriptions, for pcmstat -p's HELP lines (PCM_HELP_FILE).
$(BUILD)/pcm-help: scripts/pcm-help Documentation/ABI/testing/sysfs-kernel-pcm
	@mkdir -p $(BUILD)
	@scripts/pcm-help >$@.tmp && mv $@.tmp $@

# Prometheus recording and alerting rules, one recording rule per replay
# and event counter of the list (make install: /usr/share/pcmstat/).
$(BUILD)/pcm.rules.yml: scripts/pcm-rules $(BUILD)/pcm-fields
	@scripts/pcm-rules $(BUILD)/pcm-fields >$@.tmp && mv $@.tmp $@

# The test bed boots Debian's kernels uncompressed (QEMU's PVH entry, see
# testbed/README): decompressing one under TCG took 5 s in L1, 12 s in L2.
# Each with an initramfs of its own modules.
initramfs: deps host $(foreach r,$(KVER) $(GUEST_BOOT),\
	$(BUILD)/testbed/initramfs-$(r).cpio $(BUILD)/testbed/vmlinux-$(r))
# Programs and libraries from Debian's packages (dpkg's status: what is
# installed), the same for every kernel.
$(BUILD)/testbed/fast.cpio: testbed/mkfastlayer /var/lib/dpkg/status
	@mkdir -p $(@D)
	@testbed/mkfastlayer $@
$(BUILD)/testbed/initramfs-%.cpio: testbed/init testbed/mkinitramfs \
		$(BUILD)/testbed/fast.cpio /lib/modules/%/modules.dep
	@mkdir -p $(@D)
	@testbed/mkinitramfs $@ $* $(BUILD)/testbed/fast.cpio
$(BUILD)/testbed/vmlinux-%: /boot/vmlinuz-%
	@mkdir -p $(@D)
	@$(KTREE)/scripts/extract-vmlinux $< >$@.tmp && mv $@.tmp $@

demo: all
	@testbed/run --host-cmd 'testbed/demo host' 'testbed/demo guest'

check: all
	@scripts/check

# Numbers, not a test: counting on versus off, hypercalls per read.
bench: all
	@scripts/bench

# Boot the test-bed pair N times: stalls, crashes, the slowest boot.
N ?= 30
soak: all
	@scripts/soak $(if $(filter intel,$(LANE)),intel) $(N)

# make itself can only exit 0 or 2; the line below names CMD's own status,
# and testbed/run (which this calls) exits with it.
vm-run: all
	@testbed/run --host-cmd "$$PCM_HOST_CMD" --share "$$PCM_SHARE" -- "$$PCM_CMD" || \
		{ rc=$$?; echo "vm-run: exit status $$rc" >&2; exit $$rc; }

lint: host
	@scripts/lint

# The host side as a patch series for the kernel's maintainers
# (git format-patch with a cover letter, in build/series/out), and the
# series checked as they would: git am, checkpatch, every commit built.
series: deps
	@scripts/make-series

series-check: deps
	@scripts/install-deps series
	@scripts/series-check

install:
	@DESTDIR="$(DESTDIR)" scripts/install

clean:
	-@$(MAKE) -s -C guest KDIR=$(KDIR) clean 2>/dev/null
	-@$(MAKE) -s -C $(TESTMOD) KDIR=$(KDIR) clean 2>/dev/null
	rm -rf $(BUILD)
