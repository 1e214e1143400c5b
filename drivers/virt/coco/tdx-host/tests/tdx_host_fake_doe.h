/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DOE mailbox of the fake PCIe endpoint of the tdx-host KUnit suites:
 * its registers, discovery of CMA and secured SPDM, a responder that the
 * test supplies, faults and a log of the exchanges.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_FAKE_DOE_H
#define _TDX_HOST_FAKE_DOE_H

#include <linux/sizes.h>
#include <linux/types.h>

struct kunit;
struct fake_doe;

/* The largest response payload the fake's DOE mailbox holds */
#define FAKE_PCIE_DOE_MAX_PAYLOAD	SZ_4K
/* DOE exchanges the log keeps, see fake_pcie_doe_log() */
#define FAKE_PCIE_DOE_LOG		64

/**
 * enum fake_pcie_doe_fault - How the fake's DOE mailbox misbehaves
 * @FAKE_DOE_OK: answer as the responder says
 * @FAKE_DOE_NEVER_READY: never set Data Object Ready, until an abort
 * @FAKE_DOE_SHORT: a response one dword shorter than its header's length
 * @FAKE_DOE_OVERSIZE: a response with one dword more payload than
 *		       FAKE_PCIE_DOE_MAX_PAYLOAD
 * @FAKE_DOE_ERROR: DOE Status Error instead of a response
 * @FAKE_DOE_BAD_VENDOR: a response header with another vendor ID
 * @FAKE_DOE_BAD_TYPE: a response header with another data object type
 */
enum fake_pcie_doe_fault {
	FAKE_DOE_OK,
	FAKE_DOE_NEVER_READY,
	FAKE_DOE_SHORT,
	FAKE_DOE_OVERSIZE,
	FAKE_DOE_ERROR,
	FAKE_DOE_BAD_VENDOR,
	FAKE_DOE_BAD_TYPE,
};

/**
 * struct fake_pcie_doe_entry - One DOE exchange, as the log keeps it
 * @type: the data object type of the request
 * @req_len: the request payload in bytes (dword granular, as on the wire)
 * @rsp_len: the response payload in bytes, or -EIO for DOE Status Error,
 *	     -ETIMEDOUT for no response at all
 */
struct fake_pcie_doe_entry {
	u8 type;
	u32 req_len;
	int rsp_len;
};

struct fake_doe *fake_doe_create(struct kunit *test, bool no_ssession,
				 int (*respond)(void *priv, u8 type, const void *req,
						size_t req_len, void *rsp, size_t rsp_size),
				 void *priv);
void fake_doe_stop(struct fake_doe *doe);
u32 fake_doe_read(struct fake_doe *doe, int reg);
void fake_doe_write(struct fake_doe *doe, int reg, u32 val);
void fake_doe_set_fault(struct fake_doe *doe, enum fake_pcie_doe_fault fault,
			unsigned int nth, unsigned int count);
unsigned int fake_doe_count(struct fake_doe *doe, u8 type);
unsigned int fake_doe_copy_log(struct fake_doe *doe, struct fake_pcie_doe_entry *log,
			       unsigned int size);

#endif /* _TDX_HOST_FAKE_DOE_H */
