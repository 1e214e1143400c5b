/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the tdx-host KUnit suites: the registration of the
 * TSM device of tdx-host, watched.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#ifndef _TDX_HOST_TEST_TSM_H
#define _TDX_HOST_TEST_TSM_H

#include <linux/types.h>

struct kunit;
struct pci_tsm_ops;
struct tdx_fake_module;
struct tsm_dev;

/**
 * struct tdx_host_test_tsm - The registrations of the TSM device of a test
 * @fake: the fake TDX module whose units are looked at
 * @register_error: the error registration fails with, 0 to register
 * @nr_registers: calls of tdx_host_tsm_register()
 * @nr_unregisters: calls of tdx_host_tsm_unregister(), if watched
 * @ops: the operations of the last registration
 * @tsm_dev: the TSM device registered last, NULL before
 * @tsm_name: the name of @tsm_dev, which outlives it
 * @set_up_at_register: the units of @fake set up at the last registration
 * @set_up_at_unregister: the units of @fake set up at the last
 *	unregistration, if watched
 * @clears_at_unregister: TDH.IOMMU.CLEAR calls before the last
 *	unregistration, if watched
 */
struct tdx_host_test_tsm {
	struct tdx_fake_module *fake;
	int register_error;
	unsigned int nr_registers;
	unsigned int nr_unregisters;
	struct pci_tsm_ops *ops;
	struct tsm_dev *tsm_dev;
	char tsm_name[16];
	unsigned long set_up_at_register;
	unsigned long set_up_at_unregister;
	unsigned int clears_at_unregister;
};

struct tdx_host_test_tsm *tdx_host_test_tsm_install(struct kunit *test,
						    struct tdx_fake_module *fake);
void tdx_host_test_tsm_watch_unregister(struct kunit *test);

#endif /* _TDX_HOST_TEST_TSM_H */
