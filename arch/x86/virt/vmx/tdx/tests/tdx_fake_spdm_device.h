/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake device end of the fake TDX module's SPDM sessions and IDE
 * streams, the messages both ends exchange and the state they share.
 * Only for tests; the module end is in tdx_fake_spdm.h.
 *
 * Messages.  Every request the fake module writes to a request page is a
 * DOE data object: two dwords of header (dword 0: vendor ID 15:0 =
 * PCI_VENDOR_ID_PCI_SIG, type 23:16 = PCI_DOE_FEATURE_CMA or
 * PCI_DOE_FEATURE_SSESSION; dword 1: length in dwords 17:0, header
 * included), then the payload, padded to a dword; RCX is the length in
 * bytes, header included.  The response page must hold a DOE object of
 * the same vendor and type, with the length of the payload the fake
 * device gives for that request, and that payload.  tdx_fake_spdm_device()
 * takes and gives payloads without the DOE header, as pci_doe() does.
 *
 * A payload is an SPDM message (version byte TDX_FAKE_SPDM_VERSION,
 * request or response code, param1, param2, then a body), sent as it is
 * over PCI_DOE_FEATURE_CMA, and inside a secured message over
 * PCI_DOE_FEATURE_SSESSION: u32 session ID, u32 length of the SPDM
 * message, then the message (the fake neither encrypts nor MACs).  The
 * session ID is TDX_FAKE_SPDM_SESSION_ID(func_id).  A response's code is
 * its request's code minus 0x80; bodies are a pattern the fake derives
 * from the function, the code and the offset.  IDE_KM messages are SPDM
 * VENDOR_DEFINED_REQUEST/RESPONSE messages over the secured session with
 * standard ID 3 (PCI-SIG), vendor ID PCI_VENDOR_ID_PCI_SIG and protocol
 * ID 0, then the object ID (TDX_FAKE_IDE_KM_*), two reserved bytes, the
 * stream ID, a reserved byte, the direction (bit 1: 0 receive, 1
 * transmit) and the port index; KEY_PROG adds 32 bytes of key and 8 of
 * IV.
 *
 * Scripts.  TDH.SPDM.CONNECT: GET_VERSION, GET_CAPABILITIES,
 * NEGOTIATE_ALGORITHMS, GET_DIGESTS, GET_CERTIFICATE, KEY_EXCHANGE over
 * CMA, then FINISH over the secured session; then, with @key_refresh,
 * TDX_SPDM_SESSION_KEY_REQUIRE_REFRESH from every call until
 * TDH.SPDM.MNG(KEY_UPDATE) has run its KEY_UPDATE exchange; then the
 * device information is written and SUCCESS returned.
 * TDH.SPDM.MNG: HEARTBEAT or KEY_UPDATE.  TDH.SPDM.DISCONNECT: END_SESSION.
 * TDH.IDE.STREAM.KM setup and refresh: KEY_PROG receive, KEY_PROG
 * transmit, K_SET_GO receive, K_SET_GO transmit; stop: K_SET_STOP
 * receive and transmit.  A response that is not the expected one ends
 * the operation with TDX_OPERAND_INVALID and the operand ID of the
 * response page (the ABI names no status for it); a connect starts over.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_SPDM_DEVICE_H
#define _TDX_FAKE_SPDM_DEVICE_H

#include <linux/types.h>

struct tdx_fake_module;

#define TDX_FAKE_SPDM_MAX_SESSIONS	8
#define TDX_FAKE_SPDM_MAX_STREAMS	16
#define TDX_FAKE_SPDM_MAX_MT_PAGES	16
#define TDX_FAKE_SPDM_MAX_EVENTS	256

/* Events of the log besides leaf numbers: a message the device handled. */
#define TDX_FAKE_SPDM_EV_DOE_BASE	0x1000

#define TDX_FAKE_SPDM_VERSION		0x12
#define TDX_FAKE_SPDM_SESSION_ID(func_id)	(0xa5000000U | ((func_id) & 0xffffff))

/* SPDM request codes; the response code is 0x80 less */
#define TDX_FAKE_SPDM_GET_DIGESTS	0x81
#define TDX_FAKE_SPDM_GET_CERTIFICATE	0x82
#define TDX_FAKE_SPDM_GET_VERSION	0x84
#define TDX_FAKE_SPDM_GET_CAPABILITIES	0xe1
#define TDX_FAKE_SPDM_NEGOTIATE_ALGORITHMS	0xe3
#define TDX_FAKE_SPDM_KEY_EXCHANGE	0xe4
#define TDX_FAKE_SPDM_FINISH		0xe5
#define TDX_FAKE_SPDM_HEARTBEAT		0xe8
#define TDX_FAKE_SPDM_KEY_UPDATE	0xe9
#define TDX_FAKE_SPDM_END_SESSION	0xec
#define TDX_FAKE_SPDM_VENDOR_DEFINED	0xfe
#define TDX_FAKE_SPDM_ERROR		0x7f

/* IDE_KM object IDs */
#define TDX_FAKE_IDE_KM_KEY_PROG	0x02
#define TDX_FAKE_IDE_KM_KP_ACK		0x03
#define TDX_FAKE_IDE_KM_K_SET_GO	0x04
#define TDX_FAKE_IDE_KM_K_SET_STOP	0x05
#define TDX_FAKE_IDE_KM_K_GOSTOP_ACK	0x06

/* The DOE header, and the header of a secured message */
#define TDX_FAKE_SPDM_DOE_HDR		8
#define TDX_FAKE_SPDM_SS_HDR		8

/**
 * struct tdx_fake_spdm_xchg - a request/response exchange in progress
 * @leaf: the leaf running it, 0 for none
 * @op: its operation (TDX_SPDM_MNG_* or TDX_IDE_KM_*)
 * @idx: index in the script of the request waiting for its response
 * @stream: the stream of TDH.IDE.STREAM.KM
 */
struct tdx_fake_spdm_xchg {
	u16 leaf;
	u8 op;
	u8 idx;
	struct tdx_fake_spdm_stream *stream;
};

/**
 * struct tdx_fake_spdm_session - an SPDM session object of the fake module
 * @used: the slot holds a session
 * @func_id: FUNCTION_ID given to TDH.SPDM.CREATE
 * @spdm_id: the ID the fake returned for it
 * @nr_pages: pages of its SPDM metadata
 * @pages: their physical addresses, in HPA_ARRAY_T order
 * @established: FINISH completed: the secured session exists
 * @connected: TDH.SPDM.CONNECT returned SUCCESS, no DISCONNECT since
 * @key_refresh_due: CONNECT returns TDX_SPDM_SESSION_KEY_REQUIRE_REFRESH
 * @nr_key_updates: KEY_UPDATE exchanges completed
 * @nr_streams: its IDE streams
 * @dev_info_len: bytes of device information the last CONNECT wrote
 * @xchg: the exchange in progress
 * @dev_next: the device end: index of the next connect request it takes
 * @dev_session: the device end: the secured session is up
 */
struct tdx_fake_spdm_session {
	bool used;
	u32 func_id;
	u64 spdm_id;
	unsigned int nr_pages;
	u64 pages[TDX_FAKE_SPDM_MAX_MT_PAGES];
	bool established;
	bool connected;
	bool key_refresh_due;
	unsigned int nr_key_updates;
	unsigned int nr_streams;
	unsigned int dev_info_len;
	struct tdx_fake_spdm_xchg xchg;
	u8 dev_next;
	bool dev_session;
};

/**
 * struct tdx_fake_spdm_stream - an IDE stream of the fake module
 * @used: the slot holds a stream
 * @session: its SPDM session
 * @stream_id: the ID the fake returned, also the IDE Stream ID, 1 to 254
 * @rp_ide_id: the root port's Selective IDE Stream register block
 * @rp_devfn: the root port's devfn from stream_info
 * @rid_base: RID association: base
 * @rid_limit: RID association: limit
 * @rid_seg: RID association: segment
 * @addr_assoc: address association registers 1 to 3 (R12 to R14)
 * @nr_pages: pages of its IDE metadata
 * @pages: their physical addresses
 * @keyed: TDH.IDE.STREAM.KM setup completed, no stop since
 * @rp_enabled: the root port end of the stream is enabled
 * @blocked: TDH.IDE.STREAM.BLOCK completed
 * @dev_key: the device end has a key, per direction (0 receive)
 * @dev_go: the device end has K_SET_GO, per direction
 */
struct tdx_fake_spdm_stream {
	bool used;
	struct tdx_fake_spdm_session *session;
	u8 stream_id;
	u8 rp_ide_id;
	u8 rp_devfn;
	u16 rid_base;
	u16 rid_limit;
	u8 rid_seg;
	u64 addr_assoc[3];
	unsigned int nr_pages;
	u64 pages[TDX_FAKE_SPDM_MAX_MT_PAGES];
	bool keyed;
	bool rp_enabled;
	bool blocked;
	bool dev_key[2];
	bool dev_go[2];
};

/**
 * struct tdx_fake_spdm - the SPDM and IDE leaves of a fake TDX module
 * @fake: the fake module
 * @key_refresh: knob: CONNECT asks for a key update once the session is
 *	established, before its SUCCESS
 * @max_streams: knob: streams the module has room for (at most
 *	TDX_FAKE_SPDM_MAX_STREAMS); TDH.IDE.STREAM.CREATE beyond fails with
 *	TDX_OPERAND_INVALID (RCX), the ABI names no status for it
 * @dev_info_len: knob: bytes of device information CONNECT writes
 * @error_nth: knob: the device answers its n-th message (1-based, over
 *	all functions) with an SPDM ERROR, 0 for never
 * @error_code: the ERROR's param1
 * @fail_nth: knob: the n-th Extension SEAMCALL (1-based) fails with
 *	@fail_status and no side effect, 0 for none
 * @fail_status: see @fail_nth
 * @nr_calls: Extension SEAMCALLs that reached the fake's leaves
 * @nr_dev_msgs: messages the device end handled
 * @nr_refusals: Extension SEAMCALLs refused
 * @refusal: why the last one was refused
 * @nr_events: entries used in @events
 * @events: the log: leaf numbers, TDX_FAKE_SPDM_EV_DOE_BASE + DOE type
 * @sessions: session slots
 * @streams: stream slots
 */
struct tdx_fake_spdm {
	struct tdx_fake_module *fake;
	bool key_refresh;
	unsigned int max_streams;
	unsigned int dev_info_len;
	unsigned int error_nth;
	u8 error_code;
	unsigned int fail_nth;
	u64 fail_status;

	unsigned int nr_calls;
	unsigned int nr_dev_msgs;
	unsigned int nr_refusals;
	char refusal[96];
	unsigned int nr_events;
	u32 events[TDX_FAKE_SPDM_MAX_EVENTS];
	struct tdx_fake_spdm_session sessions[TDX_FAKE_SPDM_MAX_SESSIONS];
	struct tdx_fake_spdm_stream streams[TDX_FAKE_SPDM_MAX_STREAMS];
};

/**
 * struct tdx_fake_spdm_step - one message of a script
 * @type: its DOE object type
 * @code: its SPDM request code
 * @km_obj: its IDE_KM object ID, for VENDOR_DEFINED
 * @km_dir: its IDE_KM direction
 */
struct tdx_fake_spdm_step {
	u8 type;
	u8 code;
	u8 km_obj;
	u8 km_dir;
};

/**
 * struct tdx_fake_spdm_script - the messages of one operation, in order
 * @steps: the messages
 * @nr: their number
 */
struct tdx_fake_spdm_script {
	const struct tdx_fake_spdm_step *steps;
	unsigned int nr;
};

/* For tdx_fake_spdm.c */
struct tdx_fake_spdm_script tdx_fake_spdm_script_of(u16 leaf, u8 op);
unsigned int tdx_fake_spdm_payload(u8 *p, u32 func_id, const struct tdx_fake_spdm_step *st,
				   u8 stream_id, bool rsp);
void tdx_fake_spdm_pattern(u8 *p, unsigned int len, u32 func_id, u8 code);
void tdx_fake_spdm_log(struct tdx_fake_spdm *fs, u32 event);
struct tdx_fake_spdm_stream *tdx_fake_spdm_find_stream(struct tdx_fake_spdm *fs,
						       struct tdx_fake_spdm_session *s,
						       u64 stream_id);
int tdx_fake_spdm_device(struct tdx_fake_spdm *fs, u32 func_id, u8 doe_type,
			 const void *req, size_t req_len, void *rsp, size_t rsp_size);
bool tdx_fake_spdm_device_keyed(struct tdx_fake_spdm *fs, u32 func_id, u8 stream_id);
struct tdx_fake_spdm_session *tdx_fake_spdm_session(struct tdx_fake_spdm *fs,
						    u32 func_id);
struct tdx_fake_spdm_stream *tdx_fake_spdm_stream(struct tdx_fake_spdm *fs,
						  u8 stream_id);
unsigned int tdx_fake_spdm_nr_sessions(const struct tdx_fake_spdm *fs);
unsigned int tdx_fake_spdm_nr_streams(const struct tdx_fake_spdm *fs);

#endif /* _TDX_FAKE_SPDM_DEVICE_H */
