// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DOE mailbox of the fake PCIe endpoint of the tdx-host KUnit suites
 * (tdx_host_fake_pcie.c), behind its config space: discovery lists CMA
 * and, unless left out, secured SPDM; CMA and secured SPDM requests go to
 * a responder the test supplies, which runs in process context as a
 * device answers in its own time.  Faults armed by the test shape the
 * answers, and a log keeps every exchange.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/err.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <kunit/test.h>

#include "tdx_host_fake_doe.h"

/* Header, 4 KiB payload, and the one dword too many of FAKE_DOE_OVERSIZE */
#define FAKE_DOE_HDR_DW	2
#define FAKE_DOE_REQ_DW	(FAKE_DOE_HDR_DW + FAKE_PCIE_DOE_MAX_PAYLOAD / 4)
#define FAKE_DOE_RSP_DW	(FAKE_DOE_REQ_DW + 1)
#define FAKE_DOE_TYPES	(PCI_DOE_FEATURE_SSESSION + 1)

/**
 * struct fake_doe - The registers and the device end of a fake mailbox
 * @no_ssession: the mailbox does not list secured SPDM
 * @respond: answers CMA and secured SPDM requests, see fake_doe_create();
 *	      NULL: every request is answered with DOE Status Error
 * @priv: passed to @respond
 * @lock: serializes the mailbox between config accesses, which hold the
 *	  PCI core's pci_lock, and @work
 * @req: the DOE request being written
 * @nr_req: dwords in @req
 * @req_dw: dwords in @req at the last Go
 * @rsp: the DOE response being read
 * @nr_rsp: dwords in @rsp
 * @rsp_pos: next dword of @rsp to read
 * @doe_status: the DOE Status register
 * @gen: bumped by each Go and Abort; @work answers only its own Go
 * @pending: a request waits for @work
 * @fault: the fault of the exchange @work answers
 * @log_pos: the log entry of the exchange @work answers
 * @fault_kind: the fault fake_doe_set_fault() armed
 * @fault_from: the first responder exchange it applies to
 * @fault_to: the first one it no longer applies to
 * @nr_exchanges: CMA and secured SPDM exchanges so far
 * @counts: exchanges of each data object type
 * @log: the exchanges in order, the first FAKE_PCIE_DOE_LOG of them
 * @nr_log: exchanges logged or not
 * @work: runs the responder in process context
 * @wreq: the request @work hands to the responder
 * @wrsp: the response the responder writes
 */
struct fake_doe {
	bool no_ssession;
	int (*respond)(void *priv, u8 type, const void *req, size_t req_len,
		       void *rsp, size_t rsp_size);
	void *priv;

	raw_spinlock_t lock;
	u32 req[FAKE_DOE_REQ_DW];
	unsigned int nr_req;
	unsigned int req_dw;
	u32 rsp[FAKE_DOE_RSP_DW];
	unsigned int nr_rsp;
	unsigned int rsp_pos;
	u32 doe_status;
	unsigned int gen;
	bool pending;
	enum fake_pcie_doe_fault fault;
	unsigned int log_pos;
	enum fake_pcie_doe_fault fault_kind;
	unsigned int fault_from;
	unsigned int fault_to;
	unsigned int nr_exchanges;
	unsigned int counts[FAKE_DOE_TYPES];
	struct fake_pcie_doe_entry log[FAKE_PCIE_DOE_LOG];
	unsigned int nr_log;

	struct work_struct work;
	__le32 wreq[FAKE_DOE_REQ_DW];
	__le32 wrsp[FAKE_DOE_REQ_DW];
};

static unsigned int fake_doe_log(struct fake_doe *doe, u8 type, u32 req_len, int rsp_len)
{
	unsigned int pos = doe->nr_log++;

	if (type < FAKE_DOE_TYPES)
		doe->counts[type]++;
	if (pos < FAKE_PCIE_DOE_LOG)
		doe->log[pos] = (struct fake_pcie_doe_entry) {
			.type = type,
			.req_len = req_len,
			.rsp_len = rsp_len,
		};
	return pos;
}

static void fake_doe_set_rsp(struct fake_doe *doe, unsigned int pos, int rsp_len)
{
	if (pos < FAKE_PCIE_DOE_LOG)
		doe->log[pos].rsp_len = rsp_len;
}

/* Discovery: DISCOVERY, CMA and, unless left out, secured SPDM */
static void fake_doe_discovery(struct fake_doe *doe)
{
	u8 types[] = { PCI_DOE_FEATURE_DISCOVERY, PCI_DOE_FEATURE_CMA,
		       PCI_DOE_FEATURE_SSESSION };
	unsigned int nr = doe->no_ssession ? 2 : 3;
	u8 index;

	fake_doe_log(doe, PCI_DOE_FEATURE_DISCOVERY, 4, 4);
	index = FIELD_GET(PCI_DOE_DATA_OBJECT_DISC_REQ_3_INDEX, doe->req[2]);
	if (doe->nr_req != 3 || index >= nr) {
		fake_doe_set_rsp(doe, doe->nr_log - 1, -EIO);
		doe->doe_status = PCI_DOE_STATUS_ERROR;
		return;
	}
	doe->rsp[0] = doe->req[0];
	doe->rsp[1] = FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH, 3);
	doe->rsp[2] = FIELD_PREP(PCI_DOE_DATA_OBJECT_DISC_RSP_3_VID, PCI_VENDOR_ID_PCI_SIG) |
		      FIELD_PREP(PCI_DOE_DATA_OBJECT_DISC_RSP_3_TYPE, types[index]) |
		      FIELD_PREP(PCI_DOE_DATA_OBJECT_DISC_RSP_3_NEXT_INDEX,
				 index + 1 < nr ? index + 1 : 0);
	doe->nr_rsp = 3;
	doe->doe_status = PCI_DOE_STATUS_DATA_OBJECT_READY;
}

/* Go: discovery at once, CMA and secured SPDM through the responder */
static void fake_doe_go(struct fake_doe *doe)
{
	u32 len = FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH, doe->req[1]);
	u16 vid = FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_VID, doe->req[0]);
	u8 type = FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, doe->req[0]);
	unsigned int n;

	doe->gen++;
	doe->rsp_pos = 0;
	doe->nr_rsp = 0;
	doe->req_dw = doe->nr_req;
	if (doe->nr_req < FAKE_DOE_HDR_DW || len != doe->nr_req ||
	    vid != PCI_VENDOR_ID_PCI_SIG || type >= FAKE_DOE_TYPES ||
	    (type == PCI_DOE_FEATURE_SSESSION && doe->no_ssession)) {
		/* Anything else is not for this device. */
		fake_doe_log(doe, type, 0, -EIO);
		doe->doe_status = PCI_DOE_STATUS_ERROR;
		return;
	}
	if (type == PCI_DOE_FEATURE_DISCOVERY) {
		fake_doe_discovery(doe);
		return;
	}

	n = ++doe->nr_exchanges;
	doe->fault = n >= doe->fault_from && n < doe->fault_to ? doe->fault_kind : FAKE_DOE_OK;
	doe->log_pos = fake_doe_log(doe, type, (len - FAKE_DOE_HDR_DW) * 4, 0);
	doe->doe_status = 0;
	switch (doe->fault) {
	case FAKE_DOE_NEVER_READY:
		fake_doe_set_rsp(doe, doe->log_pos, -ETIMEDOUT);
		return;
	case FAKE_DOE_ERROR:
		fake_doe_set_rsp(doe, doe->log_pos, -EIO);
		doe->doe_status = PCI_DOE_STATUS_ERROR;
		return;
	default:
		/* Not ready until the responder has answered */
		doe->pending = true;
		schedule_work(&doe->work);
	}
}

/* Publish the responder's answer of exchange @gen, as @doe->fault shapes it */
static void fake_doe_answer(struct fake_doe *doe, unsigned int gen, u8 type,
			    int len)
{
	unsigned int dw, i;

	guard(raw_spinlock_irqsave)(&doe->lock);
	if (gen != doe->gen)
		return;
	if (len < 0) {
		fake_doe_set_rsp(doe, doe->log_pos, -EIO);
		doe->doe_status = PCI_DOE_STATUS_ERROR;
		return;
	}

	dw = DIV_ROUND_UP(len, 4);
	for (i = 0; i < dw; i++)
		doe->rsp[FAKE_DOE_HDR_DW + i] = le32_to_cpu(doe->wrsp[i]);
	doe->nr_rsp = FAKE_DOE_HDR_DW + dw;
	if (doe->fault == FAKE_DOE_OVERSIZE) {
		/* Zeroes up to one dword more than the kernel can take */
		for (i = doe->nr_rsp; i < FAKE_DOE_RSP_DW; i++)
			doe->rsp[i] = 0;
		doe->nr_rsp = FAKE_DOE_RSP_DW;
	}
	fake_doe_set_rsp(doe, doe->log_pos, (doe->nr_rsp - FAKE_DOE_HDR_DW) * 4);

	if (doe->fault == FAKE_DOE_BAD_VENDOR)
		doe->rsp[0] = FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_VID, PCI_VENDOR_ID_REDHAT) |
			      FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, type);
	else if (doe->fault == FAKE_DOE_BAD_TYPE)
		/* The other SPDM type: the answer to another request */
		doe->rsp[0] = FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_VID, PCI_VENDOR_ID_PCI_SIG) |
			      FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE,
					 type == PCI_DOE_FEATURE_CMA ? PCI_DOE_FEATURE_SSESSION :
								      PCI_DOE_FEATURE_CMA);
	else
		doe->rsp[0] = FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_VID, PCI_VENDOR_ID_PCI_SIG) |
			      FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, type);
	/* A short response claims a dword more than it has. */
	doe->rsp[1] = FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH,
				 doe->nr_rsp + (doe->fault == FAKE_DOE_SHORT));
	doe->doe_status = PCI_DOE_STATUS_DATA_OBJECT_READY;
}

/* The device at work: the responder runs unlocked, in process context */
static void fake_doe_work(struct work_struct *work)
{
	struct fake_doe *doe = container_of(work, struct fake_doe, work);
	unsigned int gen, i, nr;
	int len;
	u8 type;

	scoped_guard(raw_spinlock_irqsave, &doe->lock) {
		if (!doe->pending)
			return;
		doe->pending = false;
		gen = doe->gen;
		type = FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, doe->req[0]);
		nr = doe->req_dw - FAKE_DOE_HDR_DW;
		for (i = 0; i < nr; i++)
			doe->wreq[i] = cpu_to_le32(doe->req[FAKE_DOE_HDR_DW + i]);
	}

	len = doe->respond ? doe->respond(doe->priv, type, doe->wreq, nr * 4, doe->wrsp,
					  FAKE_PCIE_DOE_MAX_PAYLOAD) : -EIO;
	if (len > FAKE_PCIE_DOE_MAX_PAYLOAD)
		len = -EIO;
	fake_doe_answer(doe, gen, type, len);
}

/**
 * fake_doe_read() - Read a register of the mailbox
 * @doe: the mailbox
 * @reg: PCI_DOE_STATUS or PCI_DOE_READ, from the DOE capability
 *
 * Context: Any context; config accesses hold the PCI core's pci_lock.
 * Return: the Status register, or the next dword of a ready response (0
 * if there is none).
 */
u32 fake_doe_read(struct fake_doe *doe, int reg)
{
	guard(raw_spinlock_irqsave)(&doe->lock);
	if (reg == PCI_DOE_STATUS)
		return doe->doe_status;
	if (doe->doe_status & PCI_DOE_STATUS_DATA_OBJECT_READY)
		return doe->rsp_pos < doe->nr_rsp ? doe->rsp[doe->rsp_pos] : 0;
	return 0;
}

/**
 * fake_doe_write() - Write a register of the mailbox
 * @doe: the mailbox
 * @reg: PCI_DOE_CTRL, PCI_DOE_WRITE or PCI_DOE_READ, from the DOE
 *	 capability
 * @val: the dword written
 *
 * Go answers discovery at once and hands CMA and secured SPDM to the
 * responder in process context; Abort drops the exchange under way.
 *
 * Context: Any context; config accesses hold the PCI core's pci_lock.
 */
void fake_doe_write(struct fake_doe *doe, int reg, u32 val)
{
	guard(raw_spinlock_irqsave)(&doe->lock);
	switch (reg) {
	case PCI_DOE_CTRL:
		if (val & PCI_DOE_CTRL_ABORT) {
			doe->gen++;
			doe->pending = false;
			doe->nr_req = 0;
			doe->nr_rsp = 0;
			doe->rsp_pos = 0;
			doe->doe_status = 0;
		} else if (val & PCI_DOE_CTRL_GO) {
			fake_doe_go(doe);
			doe->nr_req = 0;
		}
		break;
	case PCI_DOE_WRITE:
		if (doe->nr_req < FAKE_DOE_REQ_DW)
			doe->req[doe->nr_req++] = val;
		else
			doe->doe_status = PCI_DOE_STATUS_ERROR;
		break;
	case PCI_DOE_READ:
		/* Any write acknowledges the dword read. */
		if (doe->rsp_pos < doe->nr_rsp && ++doe->rsp_pos == doe->nr_rsp)
			doe->doe_status &= ~PCI_DOE_STATUS_DATA_OBJECT_READY;
		break;
	}
}

/**
 * fake_doe_create() - Make a mailbox for a test
 * @test: the test; the mailbox is freed when it ends
 * @no_ssession: discovery does not list secured SPDM, which is refused
 * @respond: the device end: answers a CMA or secured SPDM request of
 *	     @req_len bytes with up to @rsp_size bytes in @rsp, payloads
 *	     without the DOE header, and returns the length of the response,
 *	     or a negative value for a device that answers with DOE Status
 *	     Error.  Called in process context with no lock held, so it may
 *	     sleep.
 * @priv: passed to @respond
 *
 * The test fails here if there is no memory.
 *
 * Context: Process context, may sleep.
 * Return: the mailbox, idle.
 */
struct fake_doe *fake_doe_create(struct kunit *test, bool no_ssession,
				 int (*respond)(void *priv, u8 type, const void *req,
						size_t req_len, void *rsp, size_t rsp_size),
				 void *priv)
{
	struct fake_doe *doe = kunit_kzalloc(test, sizeof(*doe), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, doe);
	doe->no_ssession = no_ssession;
	doe->respond = respond;
	doe->priv = priv;
	raw_spin_lock_init(&doe->lock);
	INIT_WORK(&doe->work, fake_doe_work);
	return doe;
}

/**
 * fake_doe_stop() - Wait for the responder, and answer nothing after it
 * @doe: the mailbox, with no config access left to reach it
 *
 * Context: Process context, may sleep.
 */
void fake_doe_stop(struct fake_doe *doe)
{
	cancel_work_sync(&doe->work);
}

/**
 * fake_doe_set_fault() - Have the mailbox misbehave on some exchanges
 * @doe: the mailbox
 * @fault: how
 * @nth: the first CMA or secured SPDM exchange it applies to, counted
 *	 from this call: 1 for the next one
 * @count: how many exchanges in a row, from the @nth on; 0 for one
 *
 * Replaces any fault armed before.  FAKE_DOE_OK disarms.
 *
 * Context: Any context.
 */
void fake_doe_set_fault(struct fake_doe *doe, enum fake_pcie_doe_fault fault,
			unsigned int nth, unsigned int count)
{
	guard(raw_spinlock_irqsave)(&doe->lock);
	doe->fault_kind = fault;
	doe->fault_from = doe->nr_exchanges + max(nth, 1U);
	doe->fault_to = doe->fault_from + max(count, 1U);
}

/**
 * fake_doe_count() - Count the exchanges of one data object type
 * @doe: the mailbox
 * @type: PCI_DOE_FEATURE_DISCOVERY, _CMA or _SSESSION
 *
 * Context: Any context.
 * Return: the requests of @type the mailbox took a Go for, answered or
 * not.
 */
unsigned int fake_doe_count(struct fake_doe *doe, u8 type)
{
	guard(raw_spinlock_irqsave)(&doe->lock);
	return type < FAKE_DOE_TYPES ? doe->counts[type] : 0;
}

/**
 * fake_doe_copy_log() - Copy the log of exchanges, in order
 * @doe: the mailbox
 * @log: where to copy
 * @size: entries @log has room for
 *
 * Context: Any context.
 * Return: the number of exchanges, also those that did not fit in @log
 * or in the log.
 */
unsigned int fake_doe_copy_log(struct fake_doe *doe, struct fake_pcie_doe_entry *log,
			       unsigned int size)
{
	guard(raw_spinlock_irqsave)(&doe->lock);
	memcpy(log, doe->log, min3(size, doe->nr_log, FAKE_PCIE_DOE_LOG) * sizeof(*log));
	return doe->nr_log;
}
