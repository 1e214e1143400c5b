// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fake device end of the fake TDX module's SPDM sessions and IDE
 * streams, and the messages both ends exchange: the scripts of each
 * operation, the SPDM, secured and IDE_KM messages of each step, and the
 * device, which takes the requests in script order and keeps the state
 * of its session and of the keys of its streams.  The formats are in
 * tdx_fake_spdm_device.h; the module end is in tdx_fake_spdm.c.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pci-doe.h>
#include <linux/pci_ids.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <uapi/linux/pci_regs.h>

#include <kunit/test.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tdx_fake_module.h"
#include "tdx_fake_spdm_device.h"
#include <asm/tdx_spdm_ide.h>

#include "../tdx.h"

#define FAKE_KM_VD_HDR		7
#define FAKE_KM_OBJ		8
#define FAKE_KM_KEY		40
#define FAKE_KM_TX		BIT(1)

#define FAKE_MSG_MAX		(PAGE_SIZE - TDX_FAKE_SPDM_DOE_HDR)

#define CMA(c)		{ PCI_DOE_FEATURE_CMA, TDX_FAKE_SPDM_##c }
#define SS(c)		{ PCI_DOE_FEATURE_SSESSION, TDX_FAKE_SPDM_##c }
#define KM(o, d)	{ PCI_DOE_FEATURE_SSESSION, TDX_FAKE_SPDM_VENDOR_DEFINED, \
			  TDX_FAKE_IDE_KM_##o, d }

static const struct tdx_fake_spdm_step connect_script[] = {
	CMA(GET_VERSION), CMA(GET_CAPABILITIES), CMA(NEGOTIATE_ALGORITHMS),
	CMA(GET_DIGESTS), CMA(GET_CERTIFICATE), CMA(KEY_EXCHANGE), SS(FINISH),
};

static const struct tdx_fake_spdm_step key_update_script[] = { SS(KEY_UPDATE) };
static const struct tdx_fake_spdm_step heartbeat_script[] = { SS(HEARTBEAT) };
static const struct tdx_fake_spdm_step end_session_script[] = { SS(END_SESSION) };

static const struct tdx_fake_spdm_step km_setup_script[] = {
	KM(KEY_PROG, 0), KM(KEY_PROG, FAKE_KM_TX), KM(K_SET_GO, 0), KM(K_SET_GO, FAKE_KM_TX),
};

static const struct tdx_fake_spdm_step km_stop_script[] = {
	KM(K_SET_STOP, 0), KM(K_SET_STOP, FAKE_KM_TX),
};

static struct tdx_fake_spdm_script script_of(const struct tdx_fake_spdm_step *steps,
					     unsigned int nr)
{
	return (struct tdx_fake_spdm_script) { steps, nr };
}

/**
 * tdx_fake_spdm_script_of() - The messages of one operation
 * @leaf: the leaf of the operation
 * @op: TDH.SPDM.MNG or TDH.IDE.STREAM.KM operation, 0 for other leaves
 *
 * Context: Any context.
 * Return: the script; see tdx_fake_spdm_device.h.
 */
struct tdx_fake_spdm_script tdx_fake_spdm_script_of(u16 leaf, u8 op)
{
	switch (leaf) {
	case TDH_SPDM_CONNECT:
		return script_of(connect_script, ARRAY_SIZE(connect_script));
	case TDH_SPDM_DISCONNECT:
		return script_of(end_session_script, ARRAY_SIZE(end_session_script));
	case TDH_SPDM_MNG:
		if (op == TDX_SPDM_MNG_KEY_UPDATE)
			return script_of(key_update_script, ARRAY_SIZE(key_update_script));
		return script_of(heartbeat_script, ARRAY_SIZE(heartbeat_script));
	default:
		if (op == TDX_IDE_KM_STOP)
			return script_of(km_stop_script, ARRAY_SIZE(km_stop_script));
		return script_of(km_setup_script, ARRAY_SIZE(km_setup_script));
	}
}

/**
 * tdx_fake_spdm_log() - Log an event of the fake
 * @fs: the fake's SPDM state
 * @event: a leaf number, or TDX_FAKE_SPDM_EV_DOE_BASE + a DOE type
 *
 * Events past TDX_FAKE_SPDM_MAX_EVENTS are dropped.
 *
 * Context: Process context, in a KUnit test.
 */
void tdx_fake_spdm_log(struct tdx_fake_spdm *fs, u32 event)
{
	if (fs->nr_events < TDX_FAKE_SPDM_MAX_EVENTS)
		fs->events[fs->nr_events++] = event;
}

/* Bodies: a pattern of the function, the code and the offset. */
static unsigned int fake_body_len(u8 code, bool rsp)
{
	if (rsp && code == TDX_FAKE_SPDM_GET_CERTIFICATE)
		return 1024;
	return rsp ? 4 * ((code & 0xf) + 2) : 4 * ((code & 0x7) + 1);
}

/**
 * tdx_fake_spdm_pattern() - Fill a body with the fake's pattern
 * @p: the body
 * @len: its length
 * @func_id: the function it is for
 * @code: the message code it is for
 *
 * Context: Any context.
 */
void tdx_fake_spdm_pattern(u8 *p, unsigned int len, u32 func_id, u8 code)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		p[i] = (func_id ^ (func_id >> 8) ^ code) + i * 7;
}

/*
 * The SPDM message of one step of a script, from the module (@rsp false)
 * or from the device.  Returns its length.
 */
static unsigned int fake_spdm_msg(u8 *m, u32 func_id, const struct tdx_fake_spdm_step *st,
				  u8 stream_id, bool rsp)
{
	u8 code = rsp ? st->code - 0x80 : st->code;
	unsigned int len = 4;
	u8 obj = st->km_obj;

	m[0] = TDX_FAKE_SPDM_VERSION;
	m[1] = code;
	m[2] = st->code == TDX_FAKE_SPDM_KEY_UPDATE;
	m[3] = 0;
	if (st->code != TDX_FAKE_SPDM_VENDOR_DEFINED) {
		tdx_fake_spdm_pattern(m + len, fake_body_len(st->code, rsp), func_id, code);
		return len + fake_body_len(st->code, rsp);
	}

	if (rsp)
		obj = obj == TDX_FAKE_IDE_KM_KEY_PROG ? TDX_FAKE_IDE_KM_KP_ACK :
							TDX_FAKE_IDE_KM_K_GOSTOP_ACK;
	/* standard ID 3 (PCI-SIG), vendor ID length 2, vendor ID, payload length */
	m[len++] = 3;
	m[len++] = 0;
	m[len++] = 2;
	m[len++] = PCI_VENDOR_ID_PCI_SIG & 0xff;
	m[len++] = PCI_VENDOR_ID_PCI_SIG >> 8;
	m[len++] = FAKE_KM_OBJ + (obj == TDX_FAKE_IDE_KM_KEY_PROG ? FAKE_KM_KEY : 0);
	m[len++] = 0;
	/* protocol 0 (IDE_KM), object, reserved, stream, reserved, direction, port */
	m[len++] = 0;
	m[len++] = obj;
	m[len++] = 0;
	m[len++] = 0;
	m[len++] = stream_id;
	m[len++] = 0;
	m[len++] = st->km_dir;
	m[len++] = 0;
	if (obj == TDX_FAKE_IDE_KM_KEY_PROG) {
		tdx_fake_spdm_pattern(m + len, FAKE_KM_KEY, func_id ^ stream_id, obj ^ st->km_dir);
		len += FAKE_KM_KEY;
	}
	return len;
}

/**
 * tdx_fake_spdm_payload() - The DOE payload of one step of a script
 * @p: buffer of at least a page
 * @func_id: the function the session is with
 * @st: the step
 * @stream_id: the stream, for IDE_KM
 * @rsp: the device's response rather than the module's request
 *
 * The SPDM message, in a secured message over PCI_DOE_FEATURE_SSESSION.
 *
 * Context: Any context.
 * Return: its length, padded to a dword.
 */
unsigned int tdx_fake_spdm_payload(u8 *p, u32 func_id, const struct tdx_fake_spdm_step *st,
				   u8 stream_id, bool rsp)
{
	unsigned int len;
	__le32 hdr[2];

	if (st->type == PCI_DOE_FEATURE_CMA)
		return ALIGN(fake_spdm_msg(p, func_id, st, stream_id, rsp), 4);

	len = fake_spdm_msg(p + TDX_FAKE_SPDM_SS_HDR, func_id, st, stream_id, rsp);
	hdr[0] = cpu_to_le32(TDX_FAKE_SPDM_SESSION_ID(func_id));
	hdr[1] = cpu_to_le32(len);
	memcpy(p, hdr, sizeof(hdr));
	return ALIGN(TDX_FAKE_SPDM_SS_HDR + len, 4);
}

/**
 * tdx_fake_spdm_find_stream() - A stream of a session
 * @fs: the fake's SPDM state
 * @s: the session
 * @stream_id: the stream ID, as a SEAMCALL operand or in an IDE_KM message
 *
 * Context: Process context, in a KUnit test.
 * Return: the stream, or NULL if @s has no stream @stream_id.
 */
struct tdx_fake_spdm_stream *tdx_fake_spdm_find_stream(struct tdx_fake_spdm *fs,
						       struct tdx_fake_spdm_session *s,
						       u64 stream_id)
{
	struct tdx_fake_spdm_stream *st;

	if (stream_id > 254)
		return NULL;
	st = tdx_fake_spdm_stream(fs, stream_id);
	return st && st->session == s ? st : NULL;
}

/* The device end: what it takes next, and how its state moves. */
static bool fake_device_step(struct tdx_fake_spdm *fs, struct tdx_fake_spdm_session *s,
			     u8 type, const u8 *m, size_t len, struct tdx_fake_spdm_step *st,
			     u8 *stream_id)
{
	struct tdx_fake_spdm_stream *stream;
	bool tx;

	*st = (struct tdx_fake_spdm_step) { .type = type, .code = m[1] };
	*stream_id = 0;
	if (m[0] != TDX_FAKE_SPDM_VERSION)
		return false;
	if (m[1] == TDX_FAKE_SPDM_GET_VERSION && type == PCI_DOE_FEATURE_CMA) {
		s->dev_session = false;
		s->dev_next = 1;
		return true;
	}
	if (s->dev_next && s->dev_next < ARRAY_SIZE(connect_script)) {
		if (connect_script[s->dev_next].code != m[1] ||
		    connect_script[s->dev_next].type != type)
			return false;
		if (++s->dev_next == ARRAY_SIZE(connect_script)) {
			s->dev_session = true;
			s->dev_next = 0;
		}
		return true;
	}
	if (!s->dev_session || type != PCI_DOE_FEATURE_SSESSION)
		return false;

	switch (m[1]) {
	case TDX_FAKE_SPDM_KEY_UPDATE:
	case TDX_FAKE_SPDM_HEARTBEAT:
		return true;
	case TDX_FAKE_SPDM_END_SESSION:
		s->dev_session = false;
		return true;
	case TDX_FAKE_SPDM_VENDOR_DEFINED:
		break;
	default:
		return false;
	}

	if (len < 4 + FAKE_KM_VD_HDR + FAKE_KM_OBJ || m[4] != 3 || m[11] != 0)
		return false;
	st->km_obj = m[12];
	st->km_dir = m[17];
	*stream_id = m[15];
	stream = tdx_fake_spdm_find_stream(fs, s, *stream_id);
	tx = st->km_dir & FAKE_KM_TX;
	if (!stream || st->km_dir & ~FAKE_KM_TX)
		return false;
	switch (st->km_obj) {
	case TDX_FAKE_IDE_KM_KEY_PROG:
		if (len < 4 + FAKE_KM_VD_HDR + FAKE_KM_OBJ + FAKE_KM_KEY)
			return false;
		stream->dev_key[tx] = true;
		stream->dev_go[tx] = false;
		return true;
	case TDX_FAKE_IDE_KM_K_SET_GO:
		if (!stream->dev_key[tx])
			return false;
		stream->dev_go[tx] = true;
		return true;
	case TDX_FAKE_IDE_KM_K_SET_STOP:
		stream->dev_key[tx] = false;
		stream->dev_go[tx] = false;
		return true;
	default:
		return false;
	}
}

/**
 * tdx_fake_spdm_device() - The fake device's answer to a DOE payload
 * @fs: the fake's SPDM state
 * @func_id: FUNCTION_ID of the device
 * @doe_type: the DOE object type the payload came in
 * @req: the payload, without the DOE header
 * @req_len: its length in bytes
 * @rsp: buffer for the response payload, without the DOE header
 * @rsp_size: its size
 *
 * The device takes the connect requests in script order (GET_VERSION
 * starts over at any time) over PCI_DOE_FEATURE_CMA, and then, over the
 * secured session, KEY_UPDATE, HEARTBEAT, END_SESSION and IDE_KM for its
 * streams.  A request of the wrong DOE type, out of sequence, malformed
 * or for a session or stream it does not have is a violation, answered
 * with an SPDM ERROR.  With @fs->error_nth it answers that message with
 * an SPDM ERROR as a device may.  Each message is logged as
 * TDX_FAKE_SPDM_EV_DOE_BASE + @doe_type.
 *
 * Context: Process context, in a KUnit test, not inside a SEAMCALL.
 * Return: the length of the response payload, -ENODEV if no session has
 * @func_id, -EOVERFLOW if @rsp_size is too small.
 */
int tdx_fake_spdm_device(struct tdx_fake_spdm *fs, u32 func_id, u8 doe_type,
			 const void *req, size_t req_len, void *rsp, size_t rsp_size)
{
	struct tdx_fake_spdm_session *s = tdx_fake_spdm_session(fs, func_id);
	struct tdx_fake_spdm_step st = {};
	size_t len = req_len;
	const u8 *m = req;
	u8 stream_id = 0;
	bool ok = false;
	u8 *buf;
	int ret;

	tdx_fake_spdm_log(fs, TDX_FAKE_SPDM_EV_DOE_BASE + doe_type);
	fs->nr_dev_msgs++;
	if (!s) {
		tdx_fake_report_violation(fs->fake, "fake device 0x%x: no SPDM session", func_id);
		return -ENODEV;
	}

	if (doe_type == PCI_DOE_FEATURE_SSESSION) {
		if (req_len >= TDX_FAKE_SPDM_SS_HDR &&
		    get_unaligned_le32(m) == TDX_FAKE_SPDM_SESSION_ID(func_id) &&
		    get_unaligned_le32(m + 4) <= req_len - TDX_FAKE_SPDM_SS_HDR) {
			len = get_unaligned_le32(m + 4);
			m += TDX_FAKE_SPDM_SS_HDR;
			ok = true;
		}
	} else {
		ok = doe_type == PCI_DOE_FEATURE_CMA;
	}
	ok = ok && len >= 4 && len <= FAKE_MSG_MAX;

	buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	if (ok && fs->nr_dev_msgs != fs->error_nth)
		ok = fake_device_step(fs, s, doe_type, m, len, &st, &stream_id);
	else
		ok = false;

	if (ok) {
		ret = tdx_fake_spdm_payload(buf, func_id, &st, stream_id, true);
	} else {
		if (fs->nr_dev_msgs != fs->error_nth)
			tdx_fake_report_violation(fs->fake,
						  "fake device 0x%x: unexpected request 0x%02x over DOE type %u",
						  func_id, len >= 2 ? m[1] : 0, doe_type);
		/* ERROR, param1 the error code, in the request's framing */
		ret = doe_type == PCI_DOE_FEATURE_SSESSION ? TDX_FAKE_SPDM_SS_HDR : 0;
		buf[ret] = TDX_FAKE_SPDM_VERSION;
		buf[ret + 1] = TDX_FAKE_SPDM_ERROR;
		buf[ret + 2] = fs->error_code;
		if (doe_type == PCI_DOE_FEATURE_SSESSION) {
			put_unaligned_le32(TDX_FAKE_SPDM_SESSION_ID(func_id), buf);
			put_unaligned_le32(4, buf + 4);
		}
		ret += 4;
	}
	if (ret > rsp_size)
		ret = -EOVERFLOW;
	else
		memcpy(rsp, buf, ret);
	kfree(buf);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_spdm_device);

/**
 * tdx_fake_spdm_device_keyed() - Whether the device end of a stream is keyed
 * @fs: the fake's SPDM state
 * @func_id: FUNCTION_ID of the device
 * @stream_id: the stream
 *
 * Context: Process context, in a KUnit test.
 * Return: true if the device has keys and K_SET_GO in both directions.
 */
bool tdx_fake_spdm_device_keyed(struct tdx_fake_spdm *fs, u32 func_id, u8 stream_id)
{
	struct tdx_fake_spdm_stream *st = tdx_fake_spdm_stream(fs, stream_id);

	return st && st->session->func_id == func_id && st->dev_key[0] && st->dev_key[1] &&
	       st->dev_go[0] && st->dev_go[1];
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_spdm_device_keyed);

/**
 * tdx_fake_spdm_session() - The session of a function
 * @fs: the fake's SPDM state
 * @func_id: FUNCTION_ID given to TDH.SPDM.CREATE
 *
 * Context: Process context, in a KUnit test.
 * Return: the session, or NULL.
 */
struct tdx_fake_spdm_session *tdx_fake_spdm_session(struct tdx_fake_spdm *fs,
						    u32 func_id)
{
	unsigned int i;

	for (i = 0; i < TDX_FAKE_SPDM_MAX_SESSIONS; i++) {
		if (fs->sessions[i].used && fs->sessions[i].func_id == func_id)
			return &fs->sessions[i];
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_spdm_session);

/**
 * tdx_fake_spdm_stream() - A stream by its ID
 * @fs: the fake's SPDM state
 * @stream_id: the ID TDH.IDE.STREAM.CREATE returned
 *
 * Context: Process context, in a KUnit test.
 * Return: the stream, or NULL.
 */
struct tdx_fake_spdm_stream *tdx_fake_spdm_stream(struct tdx_fake_spdm *fs,
						  u8 stream_id)
{
	unsigned int i;

	for (i = 0; i < TDX_FAKE_SPDM_MAX_STREAMS; i++) {
		if (fs->streams[i].used && fs->streams[i].stream_id == stream_id)
			return &fs->streams[i];
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_spdm_stream);

/**
 * tdx_fake_spdm_nr_sessions() - Number of live sessions
 * @fs: the fake's SPDM state
 *
 * Context: Any context.
 * Return: sessions created and not deleted.
 */
unsigned int tdx_fake_spdm_nr_sessions(const struct tdx_fake_spdm *fs)
{
	unsigned int i, nr = 0;

	for (i = 0; i < TDX_FAKE_SPDM_MAX_SESSIONS; i++)
		nr += fs->sessions[i].used;
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_spdm_nr_sessions);

/**
 * tdx_fake_spdm_nr_streams() - Number of live streams
 * @fs: the fake's SPDM state
 *
 * Context: Any context.
 * Return: streams created and not deleted.
 */
unsigned int tdx_fake_spdm_nr_streams(const struct tdx_fake_spdm *fs)
{
	unsigned int i, nr = 0;

	for (i = 0; i < TDX_FAKE_SPDM_MAX_STREAMS; i++)
		nr += fs->streams[i].used;
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_spdm_nr_streams);
